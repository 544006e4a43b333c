"""The PDF gateway: restricted fetching, metadata, one shared font configuration."""
import io

from pypdf import PdfReader

from trainings import pdf


def test_hostile_text_is_printed_as_text_and_fetches_nothing(app):
    pdf.REFUSED.clear()
    hostile = ('<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd">'
               ' <style>body{background:url(http://127.0.0.1:9/x)}</style>')
    data = pdf.render_pdf("pdf/_smoke.html", {"title": "Siti Rahmawati", "text": hostile,
                                              "lang": "id"}, title="Smoke", lang="id")
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    assert "Siti Rahmawati" in text
    assert 'src="file:///etc/passwd"' in text.replace("\n", " ")
    assert not reader.attachments
    assert list(pdf.REFUSED) == []  # escaped: nothing was even asked for
    assert reader.metadata.title == "Smoke"


def test_fetcher_allows_only_own_assets_and_data(app):
    fetcher = pdf.fetcher()
    own = fetcher.fetch(pdf.asset_url("css/anyam.css"))
    assert b"--accent" in own.read()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x", "https://example.org/logo.png",
                pdf.asset_url("../../../../etc/passwd"), pdf.asset_url("nothing-here.css"),
                "anyam-asset:/nowhere/x.css"):
        try:
            fetcher.fetch(url)
        except ValueError:
            pass
        else:
            raise AssertionError(f"{url} was fetched")
    assert "file:///etc/passwd" in pdf.REFUSED


def test_one_font_configuration_and_harfbuzz_subsetting(app):
    assert pdf.font_config() is pdf.font_config()
    assert pdf.has_harfbuzz_subset(), "install libharfbuzz-subset0 (scripts/install-system-deps.sh)"


def test_stylesheets_are_parsed_once_and_usable(app):
    first = pdf.stylesheet("css/anyam.css")
    assert pdf.stylesheet("css/anyam.css") is first
    data = pdf.render_pdf("pdf/_smoke.html", {"title": "Styled", "text": "x", "lang": "en"},
                          stylesheets=("css/anyam.css",))
    assert data.startswith(b"%PDF")
