"""What authoring refuses, as exceptions the views turn into messages and status codes."""
from __future__ import annotations

from ..content import Problem


class AuthoringError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DraftConflict(AuthoringError):
    """Someone else saved (or published) the module since this edit started."""

    def __init__(self, message: str, current_text: str, lock_version: int, base_version: str):
        super().__init__(message)
        self.current_text = current_text
        self.lock_version = lock_version
        self.base_version = base_version


class PublishConflict(AuthoringError):
    pass


class HasProblems(AuthoringError):
    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message)
        self.problems = problems
