"""The SVG check for logos and signatures: a real XML parser and an allow-list."""
from pathlib import Path

import pytest

from trainings.certificates.services.assets import _check_svg
from trainings.errors import ValidationError

NS = 'xmlns="http://www.w3.org/2000/svg"'
XL = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
LOGOS = Path(__file__).resolve().parents[1] / "trainings" / "certificates" / "logos"

BYPASSES = {
    "upper-case url()": f'<svg {NS}><rect style="fill:URL(http://x/y)"/></svg>',
    "css escape in url": f'<svg {NS}><rect style="fill:u\\72l(http://x/y)"/></svg>',
    "css comment in url": f'<svg {NS}><rect style="fill:u/**/rl(http://x/y)"/></svg>',
    "url in presentation attribute": f'<svg {NS}><rect fill="url(\'http://x/y\')"/></svg>',
    "escaped @import in style element":
        f'<svg {NS}><style>@\\69mport "http://x/y.css";</style></svg>',
    "url in style element": f'<svg {NS}><style>rect{{fill:url(http://x/y)}}</style></svg>',
    "xml-stylesheet processing instruction":
        f'<?xml-stylesheet href="http://x/y.css"?><svg {NS}/>',
    "processing instruction inside": f'<svg {NS}><?xml-stylesheet href="http://x/y"?></svg>',
    "xlink:href to a file": f'<svg {NS} {XL}><image xlink:href="file:///etc/passwd"/></svg>',
    "embedded svg with a script":
        f'<svg {NS}><image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/></svg>',
    "use of an outside file": f'<svg {NS}><use href="http://x/y.svg#a"/></svg>',
    "foreignObject": f'<svg {NS}><foreignObject><p>x</p></foreignObject></svg>',
    "foreign namespace element":
        f'<svg {NS}><h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="http://x"/></svg>',
    "animation setting an href":
        f'<svg {NS}><set attributeName="href" to="http://x/y"/></svg>',
    "event handler in odd case": f'<svg {NS}><rect ONload="alert(1)"/></svg>',
    "link element a": f'<svg {NS}><a href="javascript:alert(1)"><rect/></a></svg>',
    "entity": f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg {NS}>&x;</svg>',
    "dtd alone": f'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://x/y.dtd"><svg {NS}/>',
    "not svg root": '<html xmlns="http://www.w3.org/1999/xhtml"/>',
    "broken xml": f'<svg {NS}><rect></svg>',
}


@pytest.mark.parametrize("svg", BYPASSES.values(), ids=BYPASSES.keys())
def test_unsafe_svgs_are_refused(app, svg):
    with pytest.raises(ValidationError) as caught:
        _check_svg(svg.encode(), "logo")
    assert caught.value.code == "unsafe_svg"


@pytest.mark.parametrize("svg", [
    f'<?xml version="1.0" encoding="UTF-8"?><svg {NS} viewBox="0 0 10 10"><rect width="10" '
    'height="10" style="fill:#123"/></svg>',
    f'<svg {NS} {XL}><defs><linearGradient id="g"><stop offset="0" stop-color="red"/>'
    '</linearGradient><linearGradient id="h" xlink:href="#g"/></defs>'
    '<rect fill="url(#h)" width="4" height="4"/></svg>',
    f'<svg {NS}><image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/></svg>',
] + [p.read_text() for p in sorted(LOGOS.glob("*.svg"))])
def test_plain_drawings_pass(app, svg):
    _check_svg(svg.encode(), "logo")
