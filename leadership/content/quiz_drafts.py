"""A question as parsed from Markdown, before it is checked by its type and built into the model.

Kept apart from the parser (:mod:`.quiz_syntax`) and the question types (:mod:`.marking`)
because both need it: the parser fills drafts in, each type's ``check`` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FALSE_WORDS", "OptionDraft", "QuestionDraft", "TRUE_WORDS"]

TRUE_WORDS = ("true", "gwir")
FALSE_WORDS = ("false", "gau")


@dataclass
class OptionDraft:
    text: str
    correct: bool
    line: int
    feedback: list[str] | None = None


@dataclass
class QuestionDraft:
    prompt: str
    id: str
    line: int
    type: str | None = None
    type_line: int = 0
    detail: list[str] = field(default_factory=list)
    options: list[OptionDraft] = field(default_factory=list)
    explanation: list[str] | None = None

    @property
    def correct_count(self) -> int:
        return sum(1 for o in self.options if o.correct)

    def looks_true_false(self) -> bool:
        if len(self.options) != 2:
            return False
        words = [o.text.strip().strip(".!").lower() for o in self.options]
        return words[0] in TRUE_WORDS + FALSE_WORDS and words[1] in TRUE_WORDS + FALSE_WORDS \
            and (words[0] in TRUE_WORDS) != (words[1] in TRUE_WORDS)
