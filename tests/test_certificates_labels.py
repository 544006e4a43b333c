"""The verification page's bilingual labels are translated once per app and process: the
same texts whatever the viewer's language or the order of requests, never one status's
text for another, never changed by a caller."""
from __future__ import annotations

from flask_babel import force_locale

from trainings.certificates import labels
from trainings.certificates.views.public import LABELS

from .certificates_helpers import certified_training


def test_labels_are_the_same_in_either_viewer_language_and_copies(app):
    seen = []
    for viewer in ("en", "id", "en"):
        with app.test_request_context("/"), force_locale(viewer):
            seen.append(labels.both_languages(LABELS))
    assert seen[0] == seen[1] == seen[2]
    assert seen[0]["sessions"] == {"id": "Sesi yang diikuti", "en": "Sessions attended"}
    seen[0]["sessions"]["id"] = "changed by a caller"
    with app.test_request_context("/"):
        assert labels.both_languages(LABELS)["sessions"]["id"] == "Sesi yang diikuti"
        other = {"name": LABELS["name"]}  # another dictionary: its own entry
        assert labels.both_languages(other) == {"name": {"id": "Nama", "en": "Name"}}


def test_status_texts_follow_the_status_and_the_replacement_code(app):
    with app.test_request_context("/"):
        valid = labels.status_text({"status": "valid", "replaced_by": None})
        revoked = labels.status_text({"status": "revoked", "replaced_by": None})
        first = labels.status_text({"status": "replaced", "replaced_by": "AAAA-BBBB-CCCC-DDDD"})
        second = labels.status_text({"status": "replaced", "replaced_by": "EEEE-FFFF-GGGG-HHHH"})
        valid["en"] = "changed by a caller"
        again = labels.status_text({"status": "valid", "replaced_by": None})
    assert again["en"].startswith("Valid:") and again["id"].startswith("Berlaku:")
    assert revoked == {"en": "Revoked: this certificate is no longer valid.",
                       "id": "Dicabut: sertifikat ini tidak berlaku lagi."}
    assert "AAAA-BBBB-CCCC-DDDD" in first["en"] and "AAAA-BBBB-CCCC-DDDD" in first["id"]
    assert "EEEE-FFFF-GGGG-HHHH" in second["en"] and "AAAA" not in second["en"]


def test_verify_page_shows_both_languages_to_either_viewer_after_a_revocation(app, make, client):
    from trainings.certificates import services
    from trainings.extensions import db
    training, _e, organiser = certified_training(make, names=["Siti Rahmawati"])
    (certificate,) = services.issue_all(training, actor=organiser, base="http://localhost")
    db.session.commit()
    for lang in ("id", "en"):
        client.post("/language", data={"lang": lang})
        html = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
        assert "Sesi yang diikuti" in html and "Sessions attended" in html
        assert "Berlaku:" in html and "Dicabut:" not in html
    services.revoke(certificate, reason="Fraud", actor=organiser)
    db.session.commit()
    html = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Dicabut:" in html and "Revoked:" in html and "Berlaku:" not in html


def test_label_html_is_per_viewer_language_escaped_and_kept(app):
    with app.test_request_context("/"):
        for_id = labels.labels_html(LABELS, "id")
        for_en = labels.labels_html(LABELS, "en")
        assert labels.labels_html(LABELS, "id") is for_id  # built once per viewer language
        plain = labels.labels_html({"a": "<b>x</b>"}, "en")  # reads the same in both: once
    assert str(for_id["sessions"]) == (
        'Sesi yang diikuti <span class="muted" lang="en">/ Sessions attended</span>')
    assert str(for_en["sessions"]) == (
        'Sessions attended <span class="muted" lang="id">/ Sesi yang diikuti</span>')
    assert str(plain["a"]) == "&lt;b&gt;x&lt;/b&gt;"  # escaped
