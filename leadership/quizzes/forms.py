"""Reading quiz answers from a posted form.

Answer fields are named ``q-<question id>``; each value is an option key. The
service refuses questions and keys the paper did not offer, so nothing here
trusts the browser.
"""
from __future__ import annotations

from werkzeug.datastructures import MultiDict

FIELD_PREFIX = "q-"


def field_name(question_id: str) -> str:
    return FIELD_PREFIX + question_id


def read_answers(formdata: MultiDict) -> dict[str, set[str]]:
    answers: dict[str, set[str]] = {}
    for name in formdata.keys():
        if name.startswith(FIELD_PREFIX):
            answers[name[len(FIELD_PREFIX):]] = {v for v in formdata.getlist(name) if v}
    return answers


def unanswered(question_ids, answers) -> list[str]:
    return [qid for qid in question_ids if not answers.get(qid)]
