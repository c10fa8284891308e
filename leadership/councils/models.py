from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class Council(Base):
    """A principal council in England or Wales, keyed by its official code."""

    __tablename__ = "council"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)  # mySociety / GOV.UK register code
    name: Mapped[str] = mapped_column(sa.String(200))
    nice_name: Mapped[str] = mapped_column(sa.String(200))
    nation: Mapped[str] = mapped_column(sa.String(20), index=True)
    type: Mapped[str] = mapped_column(sa.String(60), index=True)
    type_code: Mapped[str] = mapped_column(sa.String(8))
    gss_code: Mapped[str | None] = mapped_column(sa.String(9))  # ONS code
    region: Mapped[str] = mapped_column(sa.String(60), index=True)
    current: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<Council {self.code} {self.name}>"
