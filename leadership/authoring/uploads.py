"""Image uploads: check the real type from the bytes, sanitise SVG, store under instance/uploads/.

Only PNG, JPEG and SVG are accepted.  The type comes from the file's first bytes
(and a full decode for PNG/JPEG), never from its name.  An SVG is parsed without
DTDs or entities, checked against an allowlist of elements and attributes, and
re-serialised from the parsed tree, so what is served is exactly what was checked.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import audit
from .models import ImageUpload

MAX_BYTES = 1024 * 1024
# Pixel limits for PNG/JPEG (every learner's browser decodes the full bitmap: a 94 KB PNG of
# 10,000 x 10,000 pixels costs ~400 MB of memory; pen test F11). Config: UPLOAD_IMAGE_MAX_*.
MAX_WIDTH, MAX_HEIGHT, MAX_MEGAPIXELS = 4000, 4000, 16
PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
EXTENSIONS = {PNG: "png", JPEG: "jpg", SVG: "svg"}
NAME_RE = re.compile(r"^[0-9a-f]{24}\.(png|jpg|svg)$")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

SVG_ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "path", "rect", "circle", "ellipse", "line", "polyline",
    "polygon", "text", "tspan", "textPath", "use", "symbol", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "marker", "metadata",
}
SVG_ATTRIBUTES = {
    "id", "class", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry",
    "d", "points", "viewBox", "preserveAspectRatio", "transform", "fill", "fill-opacity", "fill-rule",
    "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
    "stroke-dashoffset", "stroke-miterlimit", "opacity", "font-family", "font-size", "font-weight",
    "font-style", "text-anchor", "dominant-baseline", "dx", "dy", "rotate", "letter-spacing",
    "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "fx", "fy",
    "clip-path", "clip-rule", "mask", "patternUnits", "patternTransform", "markerWidth", "markerHeight",
    "refX", "refY", "orient", "markerUnits", "marker-start", "marker-mid", "marker-end", "version",
    "role", "aria-label", "aria-labelledby", "aria-hidden", "focusable", "lang", "href", "visibility",
    "display", "color", "vector-effect", "shape-rendering", "text-rendering", "startOffset",
    "clipPathUnits", "maskUnits", "maskContentUnits", "patternContentUnits", "baseProfile",
}
URL_IN_VALUE = re.compile(r"url\s*\(\s*['\"]?\s*([^)'\"\s]*)", re.I)


class UploadError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    head = data[:1024].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<") and (b"<svg" in data[:4096]):
        return SVG
    return None


def _too_many_pixels(max_width: int, max_height: int, max_megapixels: int, size: str = "") -> UploadError:
    from flask_babel import gettext as _  # type: ignore[import-untyped]

    limit = _("Images can be at most %(w)s × %(h)s pixels and %(mp)s megapixels.",
              w=f"{max_width:,}", h=f"{max_height:,}", mp=max_megapixels)
    return UploadError(_("The image is too large: it is %(size)s pixels. %(limit)s Make it smaller and "
                         "upload it again.", size=size, limit=limit) if size else
                       _("The image is too large. %(limit)s Make it smaller and upload it again.", limit=limit))


def _check_bitmap(data: bytes, kind: str, *, max_width: int = MAX_WIDTH, max_height: int = MAX_HEIGHT,
                  max_megapixels: int = MAX_MEGAPIXELS) -> None:
    import warnings

    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings(record=True):
        # Pillow warns about (and, past twice its own limit, refuses) a huge bitmap while reading the
        # header. Its limit is far above ours, so record the warning: the size check below refuses it.
        warnings.simplefilter("always", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
                width, height = img.size  # from the header: nothing is decoded yet
                if width > max_width or height > max_height or width * height > max_megapixels * 1_000_000:
                    raise _too_many_pixels(max_width, max_height, max_megapixels, f"{width:,} × {height:,}")
                img.verify()
        except Image.DecompressionBombError:
            raise _too_many_pixels(max_width, max_height, max_megapixels)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise UploadError("The file is damaged or is not really a PNG or JPEG image.")
    if (kind, fmt) not in ((PNG, "PNG"), (JPEG, "JPEG")):
        raise UploadError("The file is damaged or is not really a PNG or JPEG image.")


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def sanitise_svg(data: bytes) -> bytes:
    """Return a re-serialised safe SVG, or raise UploadError saying what is not allowed."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        raise UploadError("The SVG has a DOCTYPE or entity declarations, which are not allowed.")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UploadError("The SVG has a DOCTYPE or entity declarations, which are not allowed.")
    except ET.ParseError as exc:
        raise UploadError(f"The SVG is not well-formed XML ({exc}).")
    if _local(root.tag) != (SVG_NS, "svg"):
        raise UploadError("The file is not an SVG image (its root element must be <svg> in the SVG namespace).")
    for el in root.iter():
        if not isinstance(el.tag, str):
            raise UploadError("The SVG contains processing instructions, which are not allowed.")
        ns, name = _local(el.tag)
        if ns != SVG_NS or name not in SVG_ELEMENTS:
            raise UploadError(f"The SVG contains a <{name}> element, which is not allowed "
                              "(scripts, foreignObject, styles and embedded content are refused).")
        for attr, value in el.attrib.items():
            ans, aname = _local(attr)
            if aname.lower().startswith("on"):
                raise UploadError(f'The SVG has an event handler attribute "{aname}", which is not allowed.')
            if ans not in ("", XLINK_NS, XML_NS) or (ans == XLINK_NS and aname != "href") \
                    or (ans == "" and aname not in SVG_ATTRIBUTES) or (ans == XML_NS and aname not in ("lang", "space")):
                raise UploadError(f'The SVG has an attribute "{aname}" that is not allowed.')
            if aname == "href" and not value.strip().startswith("#"):
                raise UploadError("The SVG links to something outside itself "
                                  f'(href="{value[:60]}"); only links to "#id" inside the image are allowed.')
            for target in URL_IN_VALUE.findall(value):
                if not target.startswith("#"):
                    raise UploadError("The SVG refers to an external resource with url(...); only "
                                      "url(#id) is allowed.")
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    content_type: str


def check_image(data: bytes, *, max_bytes: int = MAX_BYTES, **pixel_limits: int) -> CheckedImage:
    if not data:
        raise UploadError("Select an image file.")
    if len(data) > max_bytes:
        raise UploadError(f"The image must be smaller than {max_bytes // 1024} KB.", 413)
    kind = sniff(data)
    if kind is None:
        raise UploadError("The file must be a PNG, JPEG or SVG image (its contents are checked, not its name).")
    if kind == SVG:
        return CheckedImage(sanitise_svg(data), SVG)
    _check_bitmap(data, kind, **pixel_limits)
    return CheckedImage(data, kind)


def store_image(session: Session, folder: Path, data: bytes, *, alt: str, filename: str, actor,
                max_bytes: int = MAX_BYTES, **pixel_limits: int) -> ImageUpload:
    alt = " ".join((alt or "").split())
    if not alt:
        raise UploadError("Enter alt text that describes the image for people who cannot see it.")
    checked = check_image(data, max_bytes=max_bytes, **pixel_limits)
    name = f"{hashlib.sha256(checked.data).hexdigest()[:24]}.{EXTENSIONS[checked.content_type]}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.exists():
        tmp = folder / f".{name}.tmp"
        tmp.write_bytes(checked.data)
        tmp.replace(target)
    upload = session.scalar(sa.select(ImageUpload).where(ImageUpload.name == name))
    if upload is None:
        upload = ImageUpload(name=name, content_type=checked.content_type, size=len(checked.data), alt=alt[:300],
                             original_filename=(filename or "")[:255], uploaded_by_id=getattr(actor, "id", None))
        session.add(upload)
    audit.record(session, actor=actor, action="content.upload", target=f"image:{name}",
                 detail={"content_type": checked.content_type, "size": len(checked.data),
                         "filename": (filename or "")[:255], "alt": alt[:300]})
    session.commit()
    return upload


def markdown_snippet(alt: str, url: str) -> str:
    alt = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"![{alt}]({url})"


def find(session: Session, name: str) -> ImageUpload | None:
    """The upload stored as ``name`` (``<sha256[:24]>.<ext>``), or None for any other name."""
    if not NAME_RE.match(name):
        return None
    return session.scalar(sa.select(ImageUpload).where(ImageUpload.name == name))
