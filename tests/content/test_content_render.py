"""Markdown rendering and sanitising: hostile input must come out inert."""

import re
from html.parser import HTMLParser

import pytest

from leadership.content import render_inline, render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java&#x73;cript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<iframe src="https://evil.example"></iframe>',
    "<object data=x></object><embed src=x>",
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div onclick="alert(1)" lang="en">div</div>',
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<form action=x><input name=a><button formaction=javascript:alert(1)>b</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=//evil.example/>",
    '<link rel="stylesheet" href="//evil.example/x.css">',
    "## Heading {onclick=alert(1) style=color:red}",
    '## Heading {#main-content .govuk-visually-hidden}',
    '<a href="https://ok.example" target="_blank" onmouseover="alert(1)">ok</a>',
    "<details open ontoggle=alert(1)>x</details>",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    '<img src="https://ok.example/a.png" width="100" height="50; x" alt="a">',
    '<span lang="cy" onfocus="alert(1)" tabindex="1">Gwir</span>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<template><script>alert(1)</script></template>",
    '<a href="//evil.example/">protocol relative</a>',
    '<a href="\\\\evil.example/">backslashes</a>',
    "[x](/\\evil.example)",
]

ALLOWED_TAGS = {"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "a", "strong", "em",
                "code", "pre", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "img",
                "hr", "br", "abbr", "span", "div", "dl", "dt", "dd", "sup", "sub"}
ALLOWED_ATTRS = {"href", "title", "src", "alt", "width", "height", "scope", "lang", "id", "class",
                 "rel"}


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.comments = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.comments.append(data)


def parsed(html):
    c = Collector()
    c.feed(html)
    c.close()
    return c


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("render", [render_markdown, render_inline])
def test_hostile_markdown_is_inert(text, render):
    doc = parsed(render(text))
    assert not doc.comments
    for tag, attrs in doc.tags:
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRS, attrs
        for name in ("href", "src"):
            if name in attrs:
                value = attrs[name].strip().lower()
                assert re.match(r"^(https?:|mailto:|/?[^:/\\][^:]*$)", value), value
                assert not value.startswith("//")
        if "class" in attrs:
            assert attrs["class"].startswith(("govuk-", "app-")), attrs


def test_script_content_is_removed_not_shown():
    assert "alert" not in render_markdown("before <script>alert(1)</script> after")
    assert "display" not in render_markdown("<style>body{display:none}</style>text")


def test_code_is_escaped_not_executed():
    html = render_markdown("```\n<script>alert(1)</script>\n```")
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_govuk_classes():
    html = render_markdown(
        "Para with [a link](https://www.gov.uk/).\n\n## Two\n\n### Three\n\n#### Four\n\n"
        "- one\n- two\n\n1. first\n2. second\n\n| A | B |\n| - | - |\n| 1 | 2 |\n")
    assert '<p class="govuk-body">' in html
    assert '<a href="https://www.gov.uk/" class="govuk-link" rel="noopener noreferrer">' in html
    assert '<h2 id="two" class="govuk-heading-l">Two</h2>' in html
    assert '<h3 id="three" class="govuk-heading-m">' in html
    assert '<h4 id="four" class="govuk-heading-s">' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<ol class="govuk-list govuk-list--number">' in html
    for cls in ("govuk-table", "govuk-table__head", "govuk-table__body", "govuk-table__row",
                "govuk-table__header", "govuk-table__cell"):
        assert f'class="{cls}"' in html


def test_author_classes_cannot_be_injected():
    html = render_markdown('<p class="x" id="y">t</p>\n\n<a class="evil" href="/">l</a>')
    assert 'class="x"' not in html and 'class="evil"' not in html and 'id="y"' not in html


def test_attribute_values_cannot_break_out():
    html = render_markdown('<abbr title="&quot; onclick=&quot;alert(1)">LGA</abbr>')
    ((_, p), (tag, attrs)) = parsed(html).tags
    assert tag == "abbr" and attrs == {"title": '" onclick="alert(1)'}


def test_allowed_markup_survives():
    html = render_markdown(
        '<abbr title="Local Government Association">LGA</abbr> H<sub>2</sub>O x<sup>2</sup> '
        '<span lang="cy">Cymru</span>\n\n> A quote\n\n---\n\n'
        '![Alt text](https://example.org/a.png "Title")\n\n'
        "Term\n\n<dl><dt>Term</dt><dd>Def</dd></dl>\n\n[mail](mailto:a@example.org)")
    for fragment in ('<abbr title="Local Government Association">LGA</abbr>', "<sub>2</sub>",
                     "<sup>2</sup>", '<span lang="cy">Cymru</span>', "<blockquote",
                     "<hr", '<img alt="Alt text" src="https://example.org/a.png" title="Title"',
                     "<dt>Term</dt>", 'href="mailto:a@example.org"'):
        assert fragment in html


def test_render_inline_has_no_paragraph():
    assert render_inline("**Phishing** emails") == "<strong>Phishing</strong> emails"
    assert "<p" not in render_inline("Two\n\nparagraphs")
    assert "<ul" not in render_inline("- a list")


def test_h1_in_body_is_not_emitted():
    # Page titles are rendered by the template; authors' h1s never reach the page body.
    assert "<h1" not in render_markdown("<h1>x</h1>")


def test_rewrite_hook():
    html = render_markdown("![a](../images/x.png) [b](https://gov.uk/)",
                           rewrite=lambda tag, attr, v: "/static/x.png" if tag == "img" else v)
    assert 'src="/static/x.png"' in html and 'href="https://gov.uk/"' in html
