"""Helpers shared by the authoring tests (plain functions; fixtures live in conftest.py)."""
from __future__ import annotations

COURSE = "tiny-course"


def module_text(courses_dir, name="01-basics") -> str:
    return (courses_dir / "tiny" / "modules" / f"{name}.md").read_text(encoding="utf-8")


def edit_fields(soup) -> dict:
    form = soup.find("textarea", {"name": "source"}).find_parent("form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    data["source"] = soup.find("textarea", {"name": "source"}).text
    return data
