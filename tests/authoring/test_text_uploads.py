"""F8 (security test): an uploaded text file obeys the same NUL/UTF-8 rule as form fields.

The report's reproduction: a GIFT file ``g.txt`` containing ``::a:: Q\\x00 {=a ~b ####e}``
was imported (200) and the NUL reached ``module_draft.source``. Now it is a clear 400 and
nothing is saved, on SQLite and on PostgreSQL (which cannot store NUL in text at all).
"""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from authoring_helpers import COURSE

URL = f"/author/{COURSE}/02-more/gift"


def _upload(author, content: bytes, name="g.txt"):
    token = author.csrf_token(URL)
    return author.raw.post(URL, data={"csrf_token": token, "lock_version": "0",
                                      "file": (io.BytesIO(content), name)},
                           content_type="multipart/form-data")


def _drafts(author_app):
    from leadership.authoring.models import ModuleDraft

    engine = author_app.extensions["database"].engine
    with engine.connect() as conn:
        return conn.execute(sa.select(ModuleDraft.source)).scalars().all()


@pytest.mark.parametrize("content", [b"::a:: Q\x00 {=a ~b ####e}", b"\xef\xbb\xbf::a:: Q {=a\x00 ~b ####e}\n",
                                     b"\x00"])
def test_nul_in_an_uploaded_gift_file_is_a_clear_400_and_nothing_is_saved(author, author_app, content):
    response = _upload(author, content)
    assert response.status_code == 400
    assert "contains a NUL character" in response.get_data(as_text=True)
    assert _drafts(author_app) == []


def test_invalid_utf8_in_an_uploaded_gift_file_is_a_clear_400(author, author_app):
    response = _upload(author, "::a:: Qu\u00e9 {=a ~b ####e}".encode("latin-1"))
    assert response.status_code == 400
    assert "The GIFT file must be UTF-8 text." in response.get_data(as_text=True)
    assert _drafts(author_app) == []


def test_a_clean_uploaded_gift_file_still_imports(author, author_app):
    response = _upload(author, "\ufeff::a:: Qu\u00e9stion? {=a ~b ####Because.}\n".encode("utf-8"))
    assert response.status_code == 200, response.data[:500]
    [source] = _drafts(author_app)
    assert "Qu\u00e9stion?" in source and "\x00" not in source


def test_decode_text_upload_rule():
    from leadership.security import MalformedText, decode_text_upload

    assert decode_text_upload(b"\xef\xbb\xbfabc") == "abc"
    for raw, kind in ((b"a\x00b", "nul"), (b"\xff", "encoding"), (b"\xc3", "encoding")):
        with pytest.raises(MalformedText) as err:
            decode_text_upload(raw)
        assert err.value.kind == kind
