"""YAML with line tracking: the parsed data plus the file line of every key and list item.

course.yaml and module front matter are parsed twice by PyYAML: once composed into
nodes (which carry their position) and once loaded into plain data.  Problems
then name the line of the key that is wrong, not just the file.
"""

from __future__ import annotations

from typing import Any, Sequence

import yaml

from .model import Problem

__all__ = ["YamlDoc", "load_yaml"]


class YamlDoc:
    """A YAML document plus the file line of every mapping key.

    ``offset`` is the number of file lines before the YAML text (1 for front
    matter, which starts after the opening ``---``).
    """

    def __init__(self, data: Any, node: yaml.Node | None, offset: int):
        self.data = data
        self.node = node
        self.offset = offset

    def key_lines(self, *path: str) -> dict[str, int]:
        node = self._node_at(path)
        out: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if isinstance(k, yaml.ScalarNode):
                    out.setdefault(str(k.value), k.start_mark.line + 1 + self.offset)
        return out

    def item_lines(self, *path: str) -> list[int]:
        node = self._node_at(path)
        if isinstance(node, yaml.SequenceNode):
            return [n.start_mark.line + 1 + self.offset for n in node.value]
        return []

    def line_of(self, *path: str) -> int:
        node = self._node_at(path)
        return node.start_mark.line + 1 + self.offset if node is not None else 1 + self.offset

    def duplicate_keys(self) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []

        def walk(node: yaml.Node | None) -> None:
            if isinstance(node, yaml.MappingNode):
                seen = set()
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode):
                        if k.value in seen:
                            out.append((k.start_mark.line + 1 + self.offset, str(k.value)))
                        seen.add(k.value)
                    walk(v)
            elif isinstance(node, yaml.SequenceNode):
                for v in node.value:
                    walk(v)

        walk(self.node)
        return out

    def _node_at(self, path: Sequence[str]) -> yaml.Node | None:
        node = self.node
        for key in path:
            if not isinstance(node, yaml.MappingNode):
                return None
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and str(k.value) == key:
                    node = v
                    break
            else:
                return None
        return node


def load_yaml(text: str, path: str, offset: int) -> tuple[YamlDoc | None, list[Problem]]:
    """Parse ``text`` (lines counted from ``offset``); a syntax error or duplicate key is a problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 1 + offset) if mark is not None else 1 + offset
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(path, line, f"YAML error: {what}")]
    doc = YamlDoc(data, node, offset)
    problems = [Problem(path, ln, f'duplicate key "{key}"') for ln, key in doc.duplicate_keys()]
    return doc, problems
