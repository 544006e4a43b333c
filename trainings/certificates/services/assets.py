"""Images printed on certificates (logos, signatures): type by content, size, a safe SVG."""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException, ElementTree
from flask_babel import gettext as _

from ...errors import ValidationError
from ...extensions import db
from ...scheduling.models import Organisation
from ..models import CertificateAsset, OrganisationLogo

MAX_IMAGE_BYTES = 300 * 1024
MAX_IMAGE_PIXELS = 2500

_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_NS = "{http://www.w3.org/1999/xlink}"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
# An allow-list: drawing elements only (no script, foreignObject, use, animation, a, image
# other than an embedded PNG/JPEG, no filters that fetch).
_SVG_ELEMENTS = frozenset("""svg g defs title desc metadata path rect circle ellipse line
    polyline polygon text tspan textPath linearGradient radialGradient stop clipPath mask
    pattern symbol image style switch""".split())
_SVG_ATTRIBUTES = frozenset("""id class style viewBox width height x y x1 y1 x2 y2 cx cy r rx ry
    d points transform fill fill-opacity fill-rule stroke stroke-width stroke-opacity
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset
    opacity color display visibility overflow clip-path clip-rule mask font-family font-size
    font-weight font-style font-variant letter-spacing word-spacing text-anchor
    dominant-baseline alignment-baseline baseline-shift text-decoration writing-mode
    direction unicode-bidi dx dy rotate textLength lengthAdjust startOffset offset stop-color
    stop-opacity gradientUnits gradientTransform spreadMethod fx fy fr patternUnits
    patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits
    preserveAspectRatio version baseProfile href lang space type media
    vector-effect shape-rendering text-rendering color-interpolation paint-order
    enable-background""".split())
_IMAGE_DATA = re.compile(r"data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)", re.S)
_CSS_DANGER = re.compile(r"@import|@font-face|expression\s*\(|javascript:|image\s*\(|"
                         r"image-set\s*\(|element\s*\(|src\s*\(|behavior|binding")
_CSS_URL = re.compile(r"url\s*\(([^)]*)\)")


def _plain_css(value: str) -> str:
    """CSS as a renderer reads it: comments gone, escapes decoded, lower case."""
    value = re.sub(r"/\*.*?\*/", "", value, flags=re.S)
    value = _CSS_ESCAPE.sub(lambda m: chr(min(int(m.group(1), 16), 0x10FFFF)) if m.group(1) else m.group(2),
                            value)
    return value.lower()


def _css_is_safe(value: str) -> bool:
    css = _plain_css(value)
    if _CSS_DANGER.search(css):
        return False
    return all(url.strip().strip("'\"").startswith("#") for url in _CSS_URL.findall(css))


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


class _Builder(ET.TreeBuilder):
    def __init__(self):
        super().__init__()
        self.instructions = 0

    def pi(self, target, text=None):
        self.instructions += 1
        return super().pi(target, text)


def _check_svg(data: bytes, field: str) -> None:
    """A plain SVG drawing, parsed by a real XML parser (defusedxml: no DTD, entities or
    external references) and checked against an allow-list of elements and attributes;
    no processing instructions, no links but to the drawing's own parts (``#id``) or an
    embedded PNG/JPEG, no CSS that fetches anything."""
    bad = ValidationError(_("This SVG cannot be used: it must be a plain drawing without "
                            "scripts or links to other files."), field=field, code="unsafe_svg")
    try:
        builder = _Builder()
        parser = ElementTree.DefusedXMLParser(target=builder, forbid_dtd=True)
        parser.feed(data)
        root = parser.close()
        if builder.instructions:  # xml-stylesheet and the like, anywhere in the file
            raise bad
    except (ET.ParseError, DefusedXmlException, ValueError):
        raise bad from None
    if not isinstance(root.tag, str) or root.tag != f"{_SVG_NS}svg":
        raise bad
    for element in root.iter():
        if not isinstance(element.tag, str):  # a processing instruction (xml-stylesheet ...)
            raise bad
        if not element.tag.startswith(_SVG_NS):
            raise bad
        local = element.tag[len(_SVG_NS):]
        if local not in _SVG_ELEMENTS:
            raise bad
        for attr, value in element.attrib.items():
            if attr.startswith(_XLINK_NS):
                name = attr[len(_XLINK_NS):]
                if name not in ("href", "title"):
                    raise bad
            elif attr.startswith(_XML_NS):
                name = attr[len(_XML_NS):]
            elif attr.startswith("{"):
                raise bad  # attributes of other vocabularies
            else:
                name = attr
            if name not in _SVG_ATTRIBUTES and not attr.startswith(_XLINK_NS):
                raise bad
            if name == "href":
                target = value.strip()
                if not (target.startswith("#") or (local == "image" and _IMAGE_DATA.fullmatch(target))):
                    raise bad
            elif not _css_is_safe(value):
                raise bad
        if local == "style" and not _css_is_safe("".join(element.itertext())):
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
