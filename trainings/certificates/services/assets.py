"""Images printed on certificates (logos, signatures): type by content, size, a safe SVG."""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

from flask_babel import gettext as _

from ...errors import ValidationError
from ...extensions import db
from ...scheduling.models import Organisation
from ..models import CertificateAsset, OrganisationLogo

MAX_IMAGE_BYTES = 300 * 1024
MAX_IMAGE_PIXELS = 2500

_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_SVG = {"script", "foreignObject", "iframe", "embed", "object", "use"}


def _image_type(data: bytes, field: str) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        if max(width, height) > MAX_IMAGE_PIXELS:
            raise ValidationError(_("The image is too large: at most %(n)d pixels a side.",
                                    n=MAX_IMAGE_PIXELS), field=field)
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:1000].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"<?xml", b"<svg", b"<!--")):
        _check_svg(data, field)
        return "image/svg+xml"
    raise ValidationError(_("Upload a PNG, JPEG or SVG image."), field=field, code="image_type")


def _check_svg(data: bytes, field: str) -> None:
    """A plain SVG drawing: no DTD or entities, no scripts, no outside references."""
    bad = ValidationError(_("This SVG cannot be used: it must be a plain drawing without "
                            "scripts or links to other files."), field=field, code="unsafe_svg")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise bad
    try:
        root = ET.fromstring(data)  # noqa: S314 - DOCTYPE and ENTITY are refused above
    except ET.ParseError:
        raise bad from None
    if root.tag != f"{_SVG_NS}svg":
        raise bad
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if local in _FORBIDDEN_SVG:
            raise bad
        for attr, value in element.attrib.items():
            name = attr.rsplit("}", 1)[-1].lower()
            if name.startswith("on"):
                raise bad
            if name in ("href", "src") and not value.strip().startswith(("#", "data:image/")):
                raise bad
            if "url(" in value and not re.fullmatch(r"\s*url\(\s*#[^)]*\)\s*", value):
                raise bad
        if local == "style" and element.text and ("url(" in element.text or "@import" in element.text):
            raise bad


def store_image(data: bytes, *, field: str = "image") -> CertificateAsset:
    """Validate an uploaded image (type by content, size) and keep it, addressed by hash."""
    if not data:
        raise ValidationError(_("The file is empty."), field=field)
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(_("The image is too large: at most %(kb)d KB.",
                                kb=MAX_IMAGE_BYTES // 1024), field=field, code="image_too_large")
    content_type = _image_type(data, field)
    sha = hashlib.sha256(data).hexdigest()
    asset = db.session.get(CertificateAsset, sha)
    if asset is None:
        asset = CertificateAsset(sha256=sha, content_type=content_type, data=data)
        db.session.add(asset)
        db.session.flush()
    return asset


def set_logo(organisation: Organisation, data: bytes, *, actor) -> OrganisationLogo:
    asset = store_image(data, field="logo")
    logo = db.session.get(OrganisationLogo, organisation.id)
    if logo is None:
        logo = OrganisationLogo(organisation_id=organisation.id, asset_sha256=asset.sha256)
        db.session.add(logo)
    else:
        logo.asset_sha256 = asset.sha256
    db.session.flush()
    return logo
