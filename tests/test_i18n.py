"""Two languages: complete catalogs, and the language chosen as users expect."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402  (scripts/i18n.py)


def test_every_catalog_is_complete_without_fuzzy_entries():
    assert i18n.problems() == []


def test_every_template_string_is_in_a_catalog():
    """Extraction is current: no UI string in the code is missing from the catalogs."""
    import subprocess
    import tempfile

    from babel.messages.pofile import read_po
    known = set()
    for po in (ROOT / "trainings" / "translations").glob("*/id/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            known |= {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "all.pot"
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F",
                        "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "trainings",
                        "templates"], check=True, cwd=ROOT)
        with pot.open("rb") as handle:
            extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert sorted(extracted - known) == [], "run: python scripts/i18n.py update"


def _lang(response) -> str:
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


def test_browser_language_is_used_for_visitors(client):
    response = client.get("/login", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.8"})
    assert _lang(response) == "id"
    assert "Kata sandi" in response.get_data(as_text=True)
    response = client.get("/login", headers={"Accept-Language": "en-GB"})
    assert _lang(response) == "en"
    assert "Password" in response.get_data(as_text=True)


def test_switcher_is_kept_in_the_session(client):
    client.post("/language", data={"lang": "id", "next": "/login"})
    response = client.get("/login", headers={"Accept-Language": "en"})
    assert _lang(response) == "id"


def test_users_setting_wins_and_the_switcher_updates_it(client, make, login):
    user = make.user(language="id")
    login(user)
    assert _lang(client.get("/trainings", headers={"Accept-Language": "en"})) == "id"
    client.post("/language", data={"lang": "en", "next": "/trainings"})
    assert user.language == "en"
    assert _lang(client.get("/trainings")) == "en"


def test_switcher_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.post("/language", data={"lang": "fr", "next": "//evil.example"})
    assert response.headers["Location"] == "/"
    assert _lang(client.get("/login", headers={"Accept-Language": "en"})) == "en"


def test_country_names_follow_the_language():
    from trainings.countries import country_name, normalise_country
    assert country_name("PK", "id") == "Pakistan"
    assert country_name("MY", "en") == "Malaysia"
    assert country_name("DE", "id") == "Jerman"
    assert normalise_country("Jerman") == "DE"
    assert normalise_country("malaysia") == "MY"
    assert normalise_country("IDN") == "ID"
    assert normalise_country("pk") == "PK"


def test_indonesian_dates_have_no_leading_zero():
    from datetime import UTC, datetime

    from trainings.timezones import format_date, format_datetime
    instant = datetime(2023, 12, 5, 7, 0, tzinfo=UTC)
    assert format_date(instant, "Asia/Jakarta", locale="id") == "Selasa, 5 Desember 2023"
    assert format_datetime(instant, "Asia/Jakarta", locale="id").startswith("Selasa, 5 Desember 2023, 14:00")
    assert format_date(instant, "Asia/Jakarta", locale="en") == "Tuesday, December 5, 2023"
