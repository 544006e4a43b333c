"""API errors speak the caller's language: Accept-Language, then the token user's setting."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from trainings import messages
from trainings.extensions import db
from trainings.scheduling.models import Training

BAD_TRAINING = {"title": ["not", "text"], "capacity": "many", "organisations": "INFID",
                "applications_open": "perhaps"}


def indonesian(message) -> str:
    """The one table's message in Indonesian (and it is a translation, not the English)."""
    with force_locale("id"):
        text = str(message)
    with force_locale("en"):
        assert text != str(message)
    return text


def _messages(response) -> list[str]:
    error = response.get_json()["error"]
    return [error["message"]] + [d["message"] for d in error["details"]]


@pytest.fixture
def organiser(make):
    return make.user("organiser", language="en")


def test_invalid_request_in_indonesian(organiser, api):
    response = api(organiser).post("/api/v1/trainings", json=BAD_TRAINING,
                                   headers={"Accept-Language": "id"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    by_field = {d["field"]: d["message"] for d in error["details"]}
    assert set(by_field) == {"title", "capacity", "organisations", "applications_open"}
    assert error["message"] == "Beberapa isian tidak valid."
    assert by_field["title"] == 'Berikan objek dengan teks "id" dan "en".'
    assert by_field["capacity"] == "Isi sebuah angka."
    assert by_field["organisations"] == "Berikan sebuah daftar."
    assert by_field["applications_open"] == "Isi true atau false."
    assert db.session.query(Training).count() == 0  # nothing written


def test_invalid_request_in_english(organiser, api):
    response = api(organiser).post("/api/v1/trainings", json=BAD_TRAINING,
                                   headers={"Accept-Language": "en"})
    assert response.status_code == 422
    by_field = {d["field"]: d["message"] for d in response.get_json()["error"]["details"]}
    assert response.get_json()["error"]["message"] == "Some values are not valid."
    assert by_field["title"] == 'Give an object with "id" and "en" texts.'
    assert by_field["capacity"] == "Give a number."


def test_a_missing_field_and_a_bad_choice(organiser, make, api):
    training = make.training(organiser=organiser)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/staff",
                                   json={"role": "boss"}, headers={"Accept-Language": "id"})
    assert response.status_code == 422
    by_field = {d["field"]: d["message"] for d in response.get_json()["error"]["details"]}
    assert by_field["email"] == indonesian(messages.REQUIRED)
    assert by_field["role"].startswith("Pilih salah satu:") and "organiser" in by_field["role"]


def test_without_accept_language_the_token_user_setting_counts(make, api):
    organiser = make.user("organiser", language="id")
    response = api(organiser).post("/api/v1/trainings", json={"capacity": "x"})
    by_field = {d["field"]: d["message"] for d in response.get_json()["error"]["details"]}
    assert by_field["title"] == indonesian(messages.REQUIRED)


@pytest.mark.parametrize("lang, expected", [
    ("id", "Diperlukan token API yang valid."), ("en", "A valid API token is required.")])
def test_no_token_is_401_in_the_caller_language(client, lang, expected):
    response = client.get("/api/v1/trainings", headers={"Accept-Language": lang})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == expected


def test_the_api_base_errors_are_translated(organiser, make, api):
    caller = api(organiser)
    headers = {"Accept-Language": "id"}
    unknown = caller.get("/api/v1/no-such-route", headers=headers)
    assert unknown.status_code == 404 and _messages(unknown) == ["Tidak ditemukan."]
    wrong_method = caller.delete("/api/v1/trainings", headers=headers)
    assert wrong_method.status_code == 405
    assert _messages(wrong_method) == ["Metode ini tidak diizinkan di sini."]
    not_json = caller.post("/api/v1/trainings", data="title=x", headers=headers,
                           content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 415
    assert _messages(not_json) == ["Isi permintaan harus berupa JSON (Content-Type: application/json)."]
    session = make.session(make.training(organiser=organiser))
    too_large = caller.post(f"/api/v1/sessions/{session.id}/attendance/import",
                            data=b"x" * (9 * 1024 * 1024), content_type="text/csv",
                            headers=headers)
    assert too_large.status_code == 413
    assert _messages(too_large) == ["Laporan terlalu besar (paling banyak 5 MB)."]


def test_too_many_requests_is_translated(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, CERTIFICATE_VERIFY_RATE_LIMIT="1/minute")
    client = app.test_client()
    headers = {"Accept-Language": "id"}
    assert client.get("/api/v1/verify/ABCD-EFGH-JKMN-PQRS", headers=headers).status_code == 404
    limited = client.get("/api/v1/verify/ABCD-EFGH-JKMN-PQRS", headers=headers)
    assert limited.status_code == 429
    assert _messages(limited) == ["Terlalu banyak permintaan. Coba lagi sebentar lagi."]
