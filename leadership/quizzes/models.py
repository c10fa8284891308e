"""Quiz attempts, their answers, and module completions.

Other features (reporting, certificates, demo data) read these tables; the
names below are a contract inside the project.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow
from ..learning.models import council_of_user


class QuizAttempt(Base):
    """One paper drawn for one learner; marked once, on its first submission."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        sa.Index("ix_quiz_attempt_course_module_submitted", "course_slug", "module_slug", "submitted_at"),
        sa.Index("ix_quiz_attempt_user_module", "user_id", "course_slug", "module_slug"),
        # At most one open (unsubmitted) paper per learner and module, enforced by the database:
        # racing "Start quiz" requests cannot draw a second paper (pen test F3).
        sa.Index("uq_quiz_attempt_open_paper", "user_id", "course_slug", "module_slug", unique=True,
                 sqlite_where=sa.text("submitted_at IS NULL"), postgresql_where=sa.text("submitted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    content_version: Mapped[str] = mapped_column(sa.String(40))  # module version the paper was drawn from
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    # Ordered list of {"question": id, "options": [keys in display order]}
    paper: Mapped[list] = mapped_column(sa.JSON)
    # Answers saved page by page (one-per-page display) before the final submission: {qid: [keys]}.
    # Never marked until the paper is submitted.
    draft: Mapped[dict | None] = mapped_column(sa.JSON)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)  # the paper id carried in the form
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column()
    score: Mapped[int | None] = mapped_column()  # percent
    passed: Mapped[bool | None] = mapped_column()

    answers: Mapped[list["QuizAnswer"]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", passive_deletes=True,
        order_by="QuizAnswer.id")

    @property
    def question_ids(self) -> list[str]:
        return [item["question"] for item in self.paper]

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class QuizAnswer(Base):
    """The learner's answer to one question of a submitted attempt, as marked."""

    __tablename__ = "quiz_answer"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id", name="uq_quiz_answer_attempt_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(sa.String(120))
    selected: Mapped[str] = mapped_column(sa.String(200), default="")  # comma-joined option keys
    score: Mapped[float] = mapped_column(sa.Float)  # 0..1
    correct: Mapped[bool] = mapped_column()

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")

    @property
    def selected_keys(self) -> frozenset[str]:
        return frozenset(k for k in self.selected.split(",") if k)


class ModuleCompletion(Base):
    """One row per learner per module, written when the module first becomes complete."""

    __tablename__ = "module_completion"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_slug", "module_slug", name="uq_module_completion_user_module"),
        sa.Index("ix_module_completion_course_module", "course_slug", "module_slug"),
        # Reporting: completions per council and module, counted from the index alone.
        sa.Index("ix_module_completion_course_council_module", "course_slug", "council_id", "module_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    # The learner's council, copied when the completion is written (an account never changes
    # council; erasure keeps the account row, so the completion keeps counting for its council).
    council_id: Mapped[int] = mapped_column(sa.ForeignKey("council.id"), default=council_of_user)
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    content_version: Mapped[str] = mapped_column(sa.String(40))
    score: Mapped[int | None] = mapped_column()  # best quiz score; None for modules without a quiz
    completed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
