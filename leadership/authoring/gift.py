"""Moodle GIFT import: turn a GIFT question bank into this project's quiz Markdown.

Supported: single choice ``{=right ~wrong}``, multiple answers with weights
``{~%50%a ~%50%b ~%-100%c}``, true/false ``{T}``/``{FALSE}``, per-answer feedback
``#...``, general feedback ``####...`` (becomes the Explanation), titles ``::t::``
(become the question id), ``$CATEGORY`` lines, ``//`` comments, escapes
``\\~ \\= \\# \\{ \\} \\: \\n \\\\``, multi-line questions and ``[markdown]``/``[html]``/
``[plain]``/``[moodle]`` format markers.

Unsupported types (short answer, numeric, matching, essay, missing word,
description) are reported with the line where the question starts; nothing is
dropped silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..content import slugify

ESCAPABLE = "~=#{}:n\\"
WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
FORMAT_RE = re.compile(r"^\[(markdown|html|plain|moodle)\]\s*", re.I)
TF_RE = re.compile(r"^(T|F|TRUE|FALSE)\s*(#.*)?$", re.I | re.S)


@dataclass
class GiftAnswer:
    text: str
    correct: bool
    feedback: str | None = None
    weight: float | None = None


@dataclass
class GiftQuestion:
    line: int
    title: str | None
    prompt: str
    type: str  # "single" | "multiple" | "true-false"
    answers: list[GiftAnswer]
    general_feedback: str | None = None
    fmt: str = "moodle"
    category: str | None = None


@dataclass(frozen=True)
class GiftIssue:
    line: int
    title: str
    message: str
    level: str = "error"  # "error": not imported | "warning": imported, needs attention

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class GiftResult:
    questions: list[GiftQuestion] = field(default_factory=list)
    issues: list[GiftIssue] = field(default_factory=list)
    markdown: str = ""

    @property
    def skipped(self) -> list[GiftIssue]:
        return [i for i in self.issues if i.level == "error"]


class Unsupported(Exception):
    pass


# --------------------------------------------------------------------------- low-level helpers


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped ``target`` at or after ``start``, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def _split(text: str, seps: str) -> list[tuple[str, str]]:
    """Split at unescaped separator characters, keeping which separator began each part."""
    parts: list[tuple[str, str]] = []
    current, marker, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if ch in seps:
            parts.append((marker, "".join(current)))
            current, marker = [], ch
        else:
            current.append(ch)
        i += 1
    parts.append((marker, "".join(current)))
    return parts


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in ESCAPABLE:
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _clean(text: str) -> str:
    return " ".join(unescape(text).split())


# --------------------------------------------------------------------------- parsing


def _blocks(source: str):
    """Yield (first_line, text, category) for each question block."""
    category = None
    lines = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    block: list[str] = []
    start = 0

    def flush():
        text = "\n".join(block).strip()
        return (start, text, category) if text else None

    for n, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not block and stripped.startswith("$CATEGORY:"):
            category = stripped[len("$CATEGORY:"):].strip()
            continue
        if not stripped:  # a blank line ends a question (an unclosed {...} is then reported)
            item = flush()
            if item:
                yield item
            block = []
            continue
        if not block:
            start = n
        block.append(line)
    item = flush()
    if item:
        yield item


def _parse_answers(body: str, title: str) -> tuple[str, list[GiftAnswer]]:
    body = body.strip()
    if not body:
        raise Unsupported("essay questions (an empty answer block {}) are not supported")
    if body.startswith("#"):
        raise Unsupported("numeric questions ({#...}) are not supported")
    tf = TF_RE.match(body)
    if tf:
        value = tf.group(1).upper().startswith("T")
        feedbacks = [_clean(f) for _, f in _split(tf.group(2) or "", "#")[1:]]
        wrong_fb = feedbacks[0] if len(feedbacks) > 0 and feedbacks[0] else None
        right_fb = feedbacks[1] if len(feedbacks) > 1 and feedbacks[1] else None
        return "true-false", [
            GiftAnswer("True", value, right_fb if value else wrong_fb),
            GiftAnswer("False", not value, wrong_fb if value else right_fb),
        ]
    parts = _split(body, "=~")
    if parts[0][1].strip():
        raise Unsupported(f'unexpected text "{_clean(parts[0][1])[:40]}" before the first answer')
    answers: list[GiftAnswer] = []
    saw_wrong = False
    for marker, raw in parts[1:]:
        if "->" in raw.replace("\\-", ""):
            raise Unsupported("matching questions (=a -> b) are not supported")
        pieces = _split(raw, "#")
        text = pieces[0][1].strip()
        feedback = _clean("#".join(p for _, p in pieces[1:])) or None
        weight = None
        m = WEIGHT_RE.match(text)
        if m:
            weight = float(m.group(1))
            text = text[m.end():].strip()
        if marker == "=":
            correct = weight is None or weight > 0
        else:
            saw_wrong = True
            correct = weight is not None and weight > 0
        if not text:
            raise Unsupported("an answer has no text")
        answers.append(GiftAnswer(_clean(text), correct, feedback, weight))
    if not saw_wrong:
        raise Unsupported("short-answer questions (only =answers, no ~wrong answers) are not supported")
    weighted = any(a.weight is not None and a.weight > 0 for a in answers if a.correct)
    full_right = [a for a in answers if a.correct and (a.weight is None or a.weight >= 100)]
    if weighted and not (len(full_right) == 1 and sum(a.correct for a in answers) == 1):
        return "multiple", answers
    if sum(a.correct for a in answers) == 0:
        raise Unsupported("no answer is marked right (= or a positive %weight%)")
    if sum(a.correct for a in answers) > 1:
        raise Unsupported("several answers are fully right (=) in a single-choice question; "
                          "use ~%50%… weights for a multiple-answer question")
    return "single", answers


def parse_gift(source: str) -> GiftResult:
    result = GiftResult()
    for line, text, category in _blocks(source):
        title = None
        if text.startswith("::"):
            end = _find(text, "::", 2)
            if end < 0:
                result.issues.append(GiftIssue(line, "", "the question title is not closed with ::"))
                continue
            title = _clean(text[2:end])
            text = text[end + 2:].lstrip()
        label = title or _clean(text)[:50]
        fmt = "moodle"
        m = FORMAT_RE.match(text)
        if m:
            fmt = m.group(1).lower()
            text = text[m.end():]
        open_at = _find(text, "{")
        if open_at < 0:
            result.issues.append(GiftIssue(line, label, f'"{label}": descriptions (text with no answer '
                                                        "block) are not supported; not imported"))
            continue
        close_at = _find(text, "}", open_at)
        if close_at < 0:
            result.issues.append(GiftIssue(line, label, f'"{label}": the answer block is not closed with }}; '
                                                        "not imported"))
            continue
        after = text[close_at + 1:].strip()
        body = text[open_at + 1:close_at]
        general = None
        g = _find(body, "####")
        if g >= 0:
            general = _clean(body[g + 4:]) or None
            body = body[:g]
        try:
            if after:
                raise Unsupported("missing-word questions (text after the answer block) are not supported")
            qtype, answers = _parse_answers(body, label)
        except Unsupported as exc:
            result.issues.append(GiftIssue(line, label, f'"{label}": {exc}; not imported'))
            continue
        prompt = unescape(text[:open_at]).strip()
        if not prompt:
            result.issues.append(GiftIssue(line, label, f'"{label}": the question has no text; not imported'))
            continue
        result.questions.append(GiftQuestion(line=line, title=title, prompt=prompt, type=qtype, answers=answers,
                                             general_feedback=general, fmt=fmt, category=category))
    return result


# --------------------------------------------------------------------------- conversion


MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _as_markdown(text: str, fmt: str) -> str:
    if fmt in ("plain", "moodle"):
        return MD_SPECIAL.sub(r"\\\1", text)
    return text  # markdown as is; html is sanitised like any HTML in a module


def _one_line(text: str, fmt: str) -> str:
    return " ".join(_as_markdown(text, fmt).split())


def to_markdown(questions: list[GiftQuestion], *, taken_ids: set[str] | None = None,
                result: GiftResult | None = None) -> str:
    taken = set(taken_ids or ())
    out: list[str] = []
    for q in questions:
        base = slugify(q.title or "") or slugify(q.prompt) or "question"
        qid, n = base, 2
        while qid in taken:
            qid, n = f"{base}-{n}", n + 1
        taken.add(qid)
        paragraphs = [p for p in (s.strip() for s in q.prompt.split("\n\n")) if p]
        if len(paragraphs) == 1 and "\n" in paragraphs[0] and q.fmt != "markdown":
            paragraphs = [paragraphs[0]]
        heading, detail = paragraphs[0], paragraphs[1:]
        out.append(f"## {_one_line(heading, q.fmt)} {{#{qid}}}")
        out.append("")
        for para in detail:
            out.append(_as_markdown(para, q.fmt))
            out.append("")
        if q.type == "multiple":
            out.append("Type: multiple")
            out.append("")
        for a in q.answers:
            out.append(f"- [{'x' if a.correct else ' '}] {_one_line(a.text, q.fmt)}")
            if a.feedback:
                out.append(f"  Feedback: {_one_line(a.feedback, q.fmt)}")
        out.append("")
        if q.general_feedback:
            out.append(f"Explanation: {_one_line(q.general_feedback, q.fmt)}")
            out.append("")
        elif result is not None:
            result.issues.append(GiftIssue(q.line, q.title or qid,
                                           f'"{q.title or qid}": no general feedback (####), so the question has '
                                           "no explanation yet; add an Explanation: line", level="warning"))
    return "\n".join(out).rstrip() + "\n" if out else ""


QUIZ_HEADING_RE = re.compile(r"^ {0,3}#[ \t]+(quiz|cwis)[ \t]*#*[ \t]*$", re.I | re.M)
ID_RE = re.compile(r"^ {0,3}##[ \t].*\{#([a-z0-9-]+)\}[ \t]*$", re.M)


def import_into(module_text: str, gift_source: str) -> tuple[str, GiftResult]:
    """Append the convertible questions to the module's quiz; return the new text and the report."""
    result = parse_gift(gift_source)
    taken = set(ID_RE.findall(module_text))
    result.markdown = to_markdown(result.questions, taken_ids=taken, result=result)
    result.issues.sort(key=lambda i: i.line)
    if not result.markdown:
        return module_text, result
    text = module_text.rstrip("\n") + "\n\n"
    if not QUIZ_HEADING_RE.search(module_text):
        text += "# Quiz\n\n"
    return text + result.markdown, result
