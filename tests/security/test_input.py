"""Input handling: size limits on every field and upload, and a hostile input corpus.

Each hostile input must get a clear 4xx (or be shown back harmlessly escaped),
and nothing that should not be stored is stored.
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from support import Client, text

XSS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=1</script>",
    '"><svg onload=window.__xss=1>',
    "javascript:window.__xss=1",
    "{{7*7}}{% raw %}",
]
SQL = ["' OR '1'='1", "'; DROP TABLE user_account; --", "%' OR 1=1 --", "\\'"]


def _all_forms():
    import leadership
    from leadership.forms import BaseForm

    for info in pkgutil.walk_packages(leadership.__path__, "leadership."):
        if info.name.endswith(("forms",)):
            importlib.import_module(info.name)
    seen, stack = [], list(BaseForm.__subclasses__())
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return seen


def test_every_text_field_of_every_form_has_a_maximum_length(app):
    from wtforms import PasswordField, SearchField, StringField, TextAreaField
    from wtforms.fields.core import UnboundField
    from wtforms.validators import Length

    problems = []
    forms = _all_forms()
    assert len(forms) > 10
    for form in forms:
        for name in dir(form):
            field = getattr(form, name, None)
            if not isinstance(field, UnboundField):
                continue
            if not issubclass(field.field_class, (StringField, TextAreaField, PasswordField, SearchField)):
                continue
            if issubclass(field.field_class, (__import__("wtforms").HiddenField,)):
                continue
            validators = field.kwargs.get("validators") or (field.args[1] if len(field.args) > 1 else [])
            if not any(isinstance(v, Length) and v.max and v.max > 0 for v in validators):
                problems.append(f"{form.__module__}.{form.__name__}.{name}")
    assert not problems, f"text fields without a maximum length: {problems}"


def _register(client, **overrides):
    """Register; a registration that is accepted is then confirmed through the emailed link
    (registration never signs in before the address is confirmed), so the final response is
    the sign-in redirect."""
    from support import confirm_registration

    data = {"name": "Cllr Ada Lovelace", "email": "ada@example.org", "council": "Cardiff",
            "password": "kettle-river-lamp-42"}
    data.update(overrides)
    response = client.post("/register", data)
    if response.status_code == 200 and b"Check your email" in response.data:
        return confirm_registration(client, response, data["email"])
    return response


def _users(db_session):
    from leadership.auth.models import User

    db_session.expire_all()
    return db_session.scalars(sa.select(User)).all()


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_a_name_is_stored_as_text_and_shown_escaped(client, db_session, payload):
    assert _register(client, name=payload).status_code == 302
    [user] = _users(db_session)
    assert user.name == payload.strip()
    html = client.get("/account").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("input", {"name": "name"})["value"] == payload.strip()
    if any(c in payload for c in '<>"'):
        assert payload not in html  # never echoed unescaped
    assert "49" not in soup.find("input", {"name": "name"})["value"]  # nor evaluated as a template
    assert not soup.select("main script, main svg[onload], main img[onerror]")


@pytest.mark.parametrize("payload", XSS + SQL)
def test_hostile_council_search_is_a_clear_400(client, db_session, payload):
    response = _register(client, council=payload)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "We could not find a council called" in body or "Choose your council from the list" in body
    if any(c in payload for c in '<>"'):
        assert payload not in body
    assert _users(db_session) == []


@pytest.mark.parametrize("payload", SQL)
def test_sql_metacharacters_in_sign_in_are_just_wrong_credentials(client, learner, payload):
    response = client.post("/sign-in", {"email": f"x{payload}@example.org", "password": payload})
    assert response.status_code == 400
    response = client.post("/sign-in", {"email": learner.email, "password": payload + "-long-enough"})
    assert response.status_code == 400
    assert "The email address or password is not right" in response.get_data(as_text=True)


@pytest.mark.parametrize("payload", SQL + XSS)
def test_sql_and_xss_in_report_search_are_inert(client, make_user, payload, db_session):
    admin = make_user("lga_admin")
    client.sign_in(admin.email)
    response = client.get("/reports/", query_string={"search": payload})
    assert response.status_code in (200, 400)
    if any(c in payload for c in '<>"'):
        assert payload not in response.get_data(as_text=True)
    from leadership.auth.models import User

    assert db_session.scalar(sa.select(sa.func.count()).select_from(User)) == 1  # table still there


def test_over_long_fields_are_refused_and_not_stored(client, db_session):
    response = _register(client, name="A" * 5000)
    assert response.status_code == 400 and "Must be 200 characters or fewer" in response.get_data(as_text=True)
    response = _register(client, email="a" * 300 + "@example.org")
    assert response.status_code == 400
    response = _register(client, password="p" * 10_000)
    assert response.status_code == 400
    assert _users(db_session) == []


@pytest.mark.parametrize("raw", [b"name=%FF%FEbad", b"name=ok%00no", b"na%C0me=x", b"name=caf%C3"])
def test_invalid_utf8_and_nul_bytes_in_forms_are_400(client, db_session, raw):
    token = client.csrf_token("/register")
    body = raw + b"&email=ada%40example.org&council=Cardiff&password=kettle-river-lamp-42&csrf_token=" + token.encode()
    response = client.raw.post("/register", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "characters that are not allowed" in response.get_data(as_text=True)
    assert _users(db_session) == []


def test_nul_bytes_in_multipart_forms_and_query_strings_are_400(client, db_session):
    token = client.csrf_token("/register")
    response = client.raw.post("/register", data={"name": "ok\x00no", "email": "ada@example.org",
                                                  "council": "Cardiff", "password": "kettle-river-lamp-42",
                                                  "csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert client.get("/sign-in?next=%00").status_code == 400
    assert client.get("/sign-in?next=%FF").status_code == 400
    assert _users(db_session) == []


def test_markdown_preview_is_sanitised(client, make_user):
    trainer = make_user("trainer")
    client.sign_in(trainer.email)
    url = "/author/digital-leadership/03-cyber-security"
    page = BeautifulSoup(client.get(url).data, "html.parser")
    source = page.find("textarea", {"name": "source"}).get_text()
    hostile = (source + "\n\n<script>window.__xss=1</script>\n\n[click](javascript:window.__xss=1)\n\n"
               '<img src=x onerror="window.__xss=1">\n\n<iframe src="https://evil.example/"></iframe>\n')
    form = {f["name"]: f.get("value", "") for f in page.select("form input[type=hidden]") if f.get("name")}
    form.update({"source": hostile, "preview": "Preview"})
    response = client.post(url + "/preview", form, token_from=url)
    assert response.status_code in (200, 400)
    soup = BeautifulSoup(response.data, "html.parser")
    for preview in soup.select(".app-preview, [data-preview], main"):
        assert not preview.select("script:not([nonce]), iframe, img[onerror]")
        assert not [a for a in preview.select("a[href]") if a["href"].lower().startswith("javascript:")]


def test_upload_over_the_size_limit_is_a_413_page(make_app, make_user):
    app = make_app(MAX_CONTENT_LENGTH=50_000)
    client = Client(app.test_client())
    trainer = make_user("trainer")
    client.sign_in(trainer.email)
    token = client.csrf_token("/author/images")
    response = client.raw.post("/author/images", data={"csrf_token": token,
                                                      "image": (__import__("io").BytesIO(b"x" * 60_000), "big.png")},
                               content_type="multipart/form-data")
    assert response.status_code == 413
    assert "too large" in text(BeautifulSoup(response.data, "html.parser")).lower()
