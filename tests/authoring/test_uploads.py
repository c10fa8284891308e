"""Image uploads: real type from the bytes, SVG sanitised, size-limited, alt text required."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from leadership.authoring.uploads import UploadError, check_image, sanitise_svg

URL = "/author/images"


def png_bytes(size=(4, 4)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (0, 112, 60)).save(buf, "PNG")
    return buf.getvalue()


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 112, 60)).save(buf, "JPEG")
    return buf.getvalue()


GOOD_SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
            b'<title>Chart</title><defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>'
            b'<rect width="10" height="10" fill="url(#g)"/><use xlink:href="#g"/></svg>')


def upload(client, data: bytes, filename: str, alt="A bar chart of attacks by type"):
    return client.post(URL, {"image": (io.BytesIO(data), filename), "alt": alt},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("data,filename", [
    (png_bytes(), "chart.png"), (jpeg_bytes(), "photo.jpg"), (GOOD_SVG, "chart.svg"),
    (png_bytes(), "misnamed.svg"),  # the name does not matter; the bytes do
])
def test_accepted_images_are_served_with_their_verified_type(author, data, filename, db_session):
    r = upload(author, data, filename)
    assert r.status_code == 200, r.data[:2000]
    from bs4 import BeautifulSoup

    snippet = BeautifulSoup(r.data, "html.parser").find(id="snippet").get_text()
    assert snippet.startswith("![A bar chart of attacks by type](/uploads/")
    url = snippet[snippet.index("(") + 1:-1]
    served = author.get(url)
    assert served.status_code == 200
    expected = {b"\x89P": "image/png", b"\xff\xd8": "image/jpeg"}.get(data[:2], "image/svg+xml")
    assert served.headers["Content-Type"].startswith(expected)
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'none'" in served.headers["Content-Security-Policy"]
    from leadership.audit import AuditEvent

    assert db_session.query(AuditEvent).filter_by(action="content.upload").count() == 1


HOSTILE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "onload": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
    "foreignObject": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    "external href": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                     b'<use xlink:href="https://evil.example/x.svg#a"/></svg>',
    "javascript href": b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
    "svg2 href": b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil.example/p.png"/></svg>',
    "doctype entity": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "boom">]>'
                      b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "external entity": b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "css url": b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/a)"/></svg>',
    "style element": b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(//evil.example);</style></svg>',
    "animate": b'<svg xmlns="http://www.w3.org/2000/svg"><animate attributeName="href" to="javascript:x"/></svg>',
    "xhtml namespace": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
                       b'<h:script>alert(1)</h:script></svg>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SVGS))
def test_hostile_svgs_are_rejected(name):
    with pytest.raises(UploadError):
        check_image(HOSTILE_SVGS[name])


def test_hostile_svg_rejected_through_the_browser_and_nothing_stored(author, author_app, tmp_path):
    r = upload(author, HOSTILE_SVGS["onload"], "chart.svg")
    assert r.status_code == 400
    assert "event handler" in r.get_data(as_text=True)
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


def test_wrong_magic_bytes_rejected(author):
    r = upload(author, b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20, "pic.png")
    assert r.status_code == 400 and "PNG, JPEG or SVG" in r.get_data(as_text=True)
    r = upload(author, b"\x89PNG\r\n\x1a\n" + b"not really a png", "pic.png")
    assert r.status_code == 400 and "damaged" in r.get_data(as_text=True)
    r = upload(author, b"<html><script>alert(1)</script></html>", "pic.svg")
    assert r.status_code == 400


def test_too_big_rejected(new_app, courses_dir, tmp_path, trainer, client_for):
    # The real limit is 1 MB; a small limit here keeps the test client's request in memory.
    with pytest.raises(UploadError) as err:
        check_image(png_bytes() + b"\x00" * (1024 * 1024))
    assert err.value.status == 413
    app = new_app(COURSES_DIR=str(courses_dir), AUTHORING_UPLOAD_DIR=str(tmp_path / "up"),
                   AUTHORING_UPLOAD_MAX_BYTES=2048)
    r = upload(client_for(app, trainer), png_bytes() + b"\x00" * 4096, "big.png")
    assert r.status_code == 413 and "smaller than 2 KB" in r.get_data(as_text=True)


def test_missing_alt_text_rejected(author):
    r = upload(author, png_bytes(), "chart.png", alt="  ")
    assert r.status_code == 400 and "alt text" in r.get_data(as_text=True)


def test_missing_file_rejected(author):
    r = author.post(URL, {"alt": "x"}, content_type="multipart/form-data")
    assert r.status_code == 400


def test_sanitised_svg_is_reserialised_from_the_checked_tree():
    out = sanitise_svg(GOOD_SVG)
    assert out.startswith(b"<?xml") and b"<svg" in out and b"ns0:" not in out
    assert check_image(out).content_type == "image/svg+xml"


def test_unknown_upload_is_404(author_app, client_for):
    c = client_for(author_app)
    assert c.get("/uploads/" + "0" * 24 + ".png").status_code == 404
    assert c.get("/uploads/..%2f..%2fsecret").status_code == 404
