"""F11 (security test): uploaded bitmaps are capped in pixels, not only in bytes.

The report's file: a 10,000 × 10,000 PNG of about 94 KB was stored (200), and every learner's
browser would decode it into ~400 MB. Now it is a clear 400 naming the limit, and nothing is
stored; the limits are settings (UPLOAD_IMAGE_MAX_WIDTH/HEIGHT/MEGAPIXELS).
"""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

URL = "/author/images"


def png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("1", (width, height), 0).save(buf, "PNG", optimize=True)  # 1 bit per pixel: cheap to make
    return buf.getvalue()


def jpeg(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L", (width, height), 0).save(buf, "JPEG", quality=10)
    return buf.getvalue()


def upload(client, data: bytes, filename: str):
    return client.post(URL, {"image": (io.BytesIO(data), filename), "alt": "A blank picture"},
                       content_type="multipart/form-data")


def _stored(author_app) -> int:
    from leadership.authoring.models import ImageUpload

    with author_app.extensions["database"].engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(ImageUpload))


def test_the_reported_100_megapixel_png_is_refused(author, author_app):
    data = png(10_000, 10_000)
    assert len(data) < 200_000  # small on disk: only the pixel count gives it away
    response = upload(author, data, "bomb.png")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "The image is too large: it is 10,000 × 10,000 pixels." in body
    assert "Images can be at most 4,000 × 4,000 pixels and 16 megapixels." in body
    assert _stored(author_app) == 0


@pytest.mark.parametrize("width,height,kind", [(4001, 10, "png"), (10, 4001, "png"), (4000, 4001, "jpg"),
                                               (20_000, 20_000, "png")])
def test_each_limit_applies(author, author_app, width, height, kind):
    response = upload(author, png(width, height) if kind == "png" else jpeg(width, height), f"x.{kind}")
    assert response.status_code == 400
    assert "Images can be at most 4,000 × 4,000 pixels and 16 megapixels." in response.get_data(as_text=True)
    assert _stored(author_app) == 0


def test_the_megapixel_limit_and_settings(new_app, courses_dir, tmp_path, client_for, trainer):
    app = new_app(COURSES_DIR=str(courses_dir), AUTHORING_UPLOAD_DIR=str(tmp_path / "uploads"),
                  UPLOAD_IMAGE_MAX_WIDTH=3000, UPLOAD_IMAGE_MAX_HEIGHT=3000, UPLOAD_IMAGE_MAX_MEGAPIXELS=4)
    author = client_for(app, trainer)
    refused = upload(author, png(2100, 2000), "wide.png")  # 4.2 megapixels, each side within 3,000
    assert refused.status_code == 400
    assert "Images can be at most 3,000 × 3,000 pixels and 4 megapixels." in refused.get_data(as_text=True)
    assert upload(author, png(2000, 2000), "ok.png").status_code == 200
    assert _stored(app) == 1


def test_images_at_the_limit_are_accepted(author, author_app):
    assert upload(author, png(4000, 4000), "limit.png").status_code == 200
    assert _stored(author_app) == 1
