"""The four roles of the design (leaf module: imports nothing from the app)."""
from __future__ import annotations

import enum


class Role(str, enum.Enum):
    LEARNER = "learner"
    TRAINER = "trainer"
    COUNCIL_ADMIN = "council_admin"
    LGA_ADMIN = "lga_admin"

    @property
    def is_staff(self) -> bool:
        return self is not Role.LEARNER
