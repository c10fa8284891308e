"""Helpers for the browser tests (a plain module, so test files can import it by a
name that does not clash with the other conftest.py files)."""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI") == "true"
PASSWORD = "correct-horse-battery"  # tests/conftest.py DEFAULT_PASSWORD
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 800}
NARROW = {"width": 320, "height": 640}
# axe-core as shipped by axe-playwright-python (pinned in pyproject.toml)
AXE_JS = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"
# A 1280 x 720 window zoomed to 400% lays out as 320 x 180 CSS pixels.
ZOOM_400 = {"width": 320, "height": 180}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(ctx, email: str, password: str = PASSWORD, *, second_factor: bool = True) -> str:
    """Sign a context in over HTTP (its cookies are shared with its pages), entering the
    current authenticator code when asked. Returns where the sign-in ended."""
    form = ctx.request.get("/sign-in")
    response = ctx.request.post("/sign-in", form={"email": email, "password": password,
                                                  "csrf_token": csrf_from(form.text())},
                                max_redirects=0)
    assert response.status == 302, (response.status, response.text()[:1000])
    location = response.headers.get("location", "")
    assert not location.endswith("/sign-in"), location
    if second_factor and location.endswith("/sign-in/two-factor"):
        from support import totp_now

        form = ctx.request.get("/sign-in/two-factor")
        response = ctx.request.post("/sign-in/two-factor", form={"code": totp_now(email),
                                                                 "csrf_token": csrf_from(form.text())},
                                    max_redirects=0)
        assert response.status == 302, (response.status, response.text()[:1000])
        location = response.headers.get("location", "")
    return location


def set_language(ctx, code: str) -> None:
    response = ctx.request.get(f"/language/{code}?next=/healthz")
    assert response.ok, response.status


def wait_for_govuk_js(page) -> None:
    """GOV.UK Frontend marks each component it has initialised with data-<module>-init."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-module]')].every("
        "el => el.hasAttribute('data-' + el.dataset.module + '-init'))", timeout=5_000)


def tab_to(page, predicate, max_tabs: int = 200, *, reverse: bool = False, describe: str = "element"):
    """Press Tab (or Shift+Tab) until the focused element satisfies ``predicate``, a JS
    function taking the element, e.g. "el => el.id === 'name'". Every element that
    receives focus on the way must show a visible focus indicator."""
    key = "Shift+Tab" if reverse else "Tab"
    probe = f"() => {{ const info = ({FOCUS_INFO})(); if (info) info.match = !!(({predicate})(document.activeElement)); return info; }}"
    seen = []
    for _ in range(max_tabs):
        page.keyboard.press(key)
        info = page.evaluate(probe)
        if info is None:
            continue  # focus left the document (browser chrome): keep tabbing
        seen.append(info["desc"])
        assert info["visible"], f"no visible focus indicator on {info['desc']} ({info['style']}) at {page.url}"
        if info["match"]:
            return info
    raise AssertionError(f"{describe} not reached after {max_tabs} presses of {key} at {page.url}; "
                         f"focus went: {' > '.join(seen[-30:])}")


# Focus is visible when GOV.UK's focus style (yellow #ffdd00 background, or an
# outline / box-shadow) is applied to the element or, for radios and checkboxes,
# to the label's ::before (their input is visually replaced by the label).
FOCUS_INFO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const cs = getComputedStyle(el);
  const styleOf = (s) => ({bg: s.backgroundColor, outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
                           shadow: s.boxShadow});
  const shows = (s) => s.backgroundColor === 'rgb(255, 221, 0)'
      || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
      || (s.boxShadow && s.boxShadow !== 'none');
  let visible = shows(cs);
  let style = styleOf(cs);
  if (!visible && el.matches('.govuk-radios__input, .govuk-checkboxes__input') && el.labels && el.labels[0]) {
    const before = getComputedStyle(el.labels[0], '::after');
    const ring = getComputedStyle(el.labels[0], '::before');
    visible = shows(ring) || parseFloat(ring.borderWidth) >= 4 || shows(before);
    style = styleOf(ring);
  }
  const desc = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : '') +
    ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"';
  return {visible, style: JSON.stringify(style), desc};
}"""


STRUCTURE = """() => {
  const problems = [];
  const hidden = (el) => el.closest('[hidden], [aria-hidden="true"]') || getComputedStyle(el).display === 'none';
  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].filter(h => !hidden(h));
  const h1s = headings.filter(h => h.tagName === 'H1');
  if (h1s.length !== 1) problems.push(`expected exactly one h1, found ${h1s.length}`);
  let prev = null;
  for (const h of headings) {
    const level = +h.tagName[1];
    if (prev === null && level > 2) problems.push(`first heading is ${h.tagName}: "${h.innerText.trim()}"`);
    if (prev !== null && level > prev + 1)
      problems.push(`heading level skips from h${prev} to ${h.tagName}: "${h.innerText.trim()}"`);
    prev = level;
  }
  const mains = document.querySelectorAll('main, [role=main]');
  if (mains.length !== 1) problems.push(`expected one main landmark, found ${mains.length}`);
  else if (mains[0].id !== 'main-content') problems.push('main landmark is not #main-content');
  const banner = [...document.querySelectorAll('header, [role=banner]')].filter(e => !e.closest('main, article, aside, nav, section'));
  if (banner.length !== 1) problems.push(`expected one header (banner) landmark, found ${banner.length}`);
  const info = [...document.querySelectorAll('footer, [role=contentinfo]')].filter(e => !e.closest('main, article, aside, nav, section'));
  if (info.length !== 1) problems.push(`expected one footer (contentinfo) landmark, found ${info.length}`);
  const skip = document.querySelector('a.govuk-skip-link');
  if (!skip || skip.getAttribute('href') !== '#main-content') problems.push('no skip link to #main-content');
  const ids = {};
  for (const el of document.querySelectorAll('[id]')) ids[el.id] = (ids[el.id] || 0) + 1;
  for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  const summary = document.querySelector('.govuk-error-summary');
  const errorLinks = [];
  if (summary) {
    for (const a of summary.querySelectorAll('.govuk-error-summary__list a')) {
      const href = a.getAttribute('href') || '';
      const target = href.startsWith('#') ? document.getElementById(href.slice(1)) : null;
      if (!target) problems.push(`error link ${href} points to no element`);
      else if (!target.matches('input, select, textarea, button, [contenteditable]'))
        problems.push(`error link ${href} points to a <${target.tagName.toLowerCase()}>, not a form field`);
      errorLinks.push(href);
    }
    if (!errorLinks.length) problems.push('error summary has no links to the fields in error');
  }
  return {problems, lang: document.documentElement.lang, title: document.title,
          hasErrorSummary: !!summary, errorLinks};
}"""

REFLOW = """() => {
  const doc = document.documentElement;
  if (doc.scrollWidth <= doc.clientWidth + 1) return null;
  // Name the widest elements that stick out (data tables in a scrolling wrapper are allowed).
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.right > doc.clientWidth + 1 && !el.closest('.app-table-scroll');
  }).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
  return `page scrolls sideways: ${doc.scrollWidth}px content in a ${doc.clientWidth}px viewport (${wide.join(', ')})`;
}"""


def run_axe(page, options: dict):
    """Run axe-core (added to every page by the context's init script); returns
    (violation count, a readable report)."""
    from axe_playwright_python.base import AxeResults

    response = page.evaluate("options => axe.run(document, options)", options)
    results = AxeResults(response)
    return results.violations_count, results.generate_report()


def paper_values(app, url: str) -> dict[str, dict[str, str]]:
    """{question id: {authored key: the option's value on this paper}} for the quiz paper at
    ``url``, read from the database: the form's option values are random per paper, so a test
    that knows the right answer (from the content engine) needs this to find its input."""
    import sqlalchemy as sa

    from leadership.extensions import db
    from leadership.quizzes.models import QuizAttempt

    token = re.search(r"/quiz/paper/([^/?#]+)", url).group(1)
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.token == token))
        values = {item["question"]: dict(zip(item["options"], item["values"])) for item in attempt.paper}
        db.session.remove()
    return values
