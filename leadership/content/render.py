"""Markdown to safe, GOV.UK-styled HTML.

Markdown is rendered with Python-Markdown, then sanitised with nh3 against an
explicit allowlist.  GOV.UK classes are added by nh3 itself
(``set_tag_attribute_values``) while sanitising, so no string manipulation of
HTML happens after the sanitiser: nothing authored can smuggle markup back in.
"""

from __future__ import annotations

import re
import threading
from typing import Callable

import markdown
import nh3

__all__ = ["render_markdown", "render_inline", "sanitise", "slugify", "UrlRewriter"]

#: Called with (tag, attribute, value) for every href/src; return a new value,
#: or None to drop the attribute.  Used to map ``../images/x.png`` to a URL.
UrlRewriter = Callable[[str, str, str], "str | None"]

EXTENSIONS = ["tables", "fenced_code", "sane_lists", "attr_list", "toc"]

BLOCK_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "hr", "div", "dl", "dt", "dd",
}
INLINE_TAGS = {"a", "strong", "em", "code", "img", "br", "abbr", "span", "sup", "sub"}
TAGS = BLOCK_TAGS | INLINE_TAGS

ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "span": {"lang"},
    "div": {"lang"},
    "th": {"scope"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
}

# Removed together with everything inside them (the rest are unwrapped to text).
CLEAN_CONTENT_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
    "noscript", "noembed", "noframes", "template", "svg", "math", "textarea",
    "select", "title", "xmp", "plaintext", "head", "meta", "link", "base",
}

URL_SCHEMES = {"http", "https", "mailto"}

GOVUK_CLASSES = {
    "p": "govuk-body",
    "h2": "govuk-heading-l",
    "h3": "govuk-heading-m",
    "h4": "govuk-heading-s",
    "h5": "govuk-heading-s",
    "h6": "govuk-heading-s",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "table": "govuk-table",
    "thead": "govuk-table__head",
    "tbody": "govuk-table__body",
    "tr": "govuk-table__row",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "hr": "govuk-section-break govuk-section-break--visible govuk-section-break--m",
    "blockquote": "govuk-inset-text",
    "dl": "govuk-summary-list",
    "img": "app-content-image",
}

_SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,80}$")
_DIMENSION = re.compile(r"^[0-9]{1,4}$")
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

_local = threading.local()


def _md() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(
            extensions=EXTENSIONS,
            extension_configs={"toc": {"permalink": False}},
            output_format="html",
        )
        _local.md = md
    md.reset()
    return md


def _attribute_filter(rewrite: UrlRewriter | None) -> Callable[[str, str, str], str | None]:
    def f(tag: str, attr: str, value: str) -> str | None:
        if attr == "id":
            return value if _SAFE_ID.match(value) else None
        if attr in ("width", "height"):
            return value if _DIMENSION.match(value) else None
        if attr == "lang":
            return value if _LANG.match(value) else None
        if attr == "scope":
            return value if value in ("col", "row", "colgroup", "rowgroup") else None
        if attr in ("href", "src"):
            value = value.strip()
            if value.startswith(("//", "\\", "/\\")) or value.lower().startswith("data:"):
                return None  # protocol-relative: write https:// explicitly
            if rewrite is not None:
                return rewrite(tag, attr, value)
        return value

    return f


def sanitise(html: str, *, inline: bool = False, rewrite: UrlRewriter | None = None) -> str:
    """Sanitise HTML against the content allowlist and add GOV.UK classes."""
    tags = INLINE_TAGS if inline else TAGS
    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        # "*": set() replaces ammonia's default generic attributes (lang, title).
        attributes={"*": set(), **{k: v for k, v in ATTRIBUTES.items() if k in tags}},
        attribute_filter=_attribute_filter(rewrite),
        strip_comments=True,
        link_rel="noopener noreferrer",
        url_schemes=URL_SCHEMES,
        set_tag_attribute_values={
            k: {"class": v} for k, v in GOVUK_CLASSES.items() if k in tags
        },
    )


def render_markdown(text: str, *, rewrite: UrlRewriter | None = None) -> str:
    """Render trainer Markdown to sanitised HTML with GOV.UK classes."""
    return sanitise(_md().convert(text or ""), rewrite=rewrite).strip()


_P_WRAP = re.compile(r"^\s*<p>(.*)</p>\s*$", re.S)


def render_inline(text: str, *, rewrite: UrlRewriter | None = None) -> str:
    """Render a short piece of Markdown (an option, a prompt) without a <p> wrapper."""
    raw = _md().convert(text or "").strip()
    m = _P_WRAP.match(raw)
    if m and "<p>" not in m.group(1):
        raw = m.group(1)
    return sanitise(raw, inline=True, rewrite=rewrite).strip()


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """'What is *phishing*?' -> 'what-is-phishing'."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[`*_~\[\]()<>]", "", text.lower())
    return _NON_SLUG.sub("-", text).strip("-")[:80].strip("-")
