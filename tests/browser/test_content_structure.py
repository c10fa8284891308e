"""Every page of the shipped course, in English and Welsh, has the structure assistive
technology relies on: one h1, headings that never skip a level going down, no
duplicate ids (Markdown heading ids must not clash with the layout's), and a lang
attribute on English passages shown inside a Welsh page.

No browser needed: this walks the real HTML through the test client, so it runs in
every test run and covers all the content, not just the sample pages axe visits.
"""
from __future__ import annotations

from collections import Counter

import pytest


def _problems(soup) -> list[str]:
    problems = []
    headings = soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])
    h1s = [h for h in headings if h.name == "h1"]
    if len(h1s) != 1:
        problems.append(f"{len(h1s)} h1 elements")
    previous = None
    for h in headings:
        level = int(h.name[1])
        if previous is not None and level > previous + 1:
            problems.append(f"heading skips from h{previous} to {h.name}: {h.get_text(' ', strip=True)!r}")
        previous = level
    ids = Counter(el["id"] for el in soup.find_all(id=True))
    problems += [f"id {i!r} used {n} times" for i, n in ids.items() if n > 1]
    return problems


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_course_page_is_well_structured(signed_in, app, lang):
    from leadership.catalogue import catalogue_service

    with app.app_context():
        course = catalogue_service.get().course("digital-leadership", lang)
    assert course is not None
    found = []
    for module in course.modules:
        for page in module.pages:
            url = f"/courses/{course.slug}/{module.slug}/{page.number}?lang={lang}"
            soup = signed_in.page(url)
            found += [f"{url}: {p}" for p in _problems(soup)]
            html_lang = soup.html.get("lang")
            if html_lang != lang:
                found.append(f"{url}: <html lang={html_lang!r}>")
            if lang == "cy" and module.fallback:
                content = soup.select_one(".app-markdown")
                if not content or not content.find_parent(attrs={"lang": "en"}):
                    found.append(f"{url}: English content in a Welsh page has no lang=\"en\"")
    assert not found, "\n".join(found)
