"""Open Badges credentials checked by independent tools (Digital Bazaar's verifier, 1EdTech's
JSON schema, run by Node with no network), the Bitstring Status List, key rotation."""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from trainings.certificates import openbadges, services
from trainings.certificates.models import Certificate, StatusList
from trainings.extensions import db

from .certificates_helpers import certified_training

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "node" / "verify-credential.mjs"
SPECS = ROOT / "tests" / "specs"
BASE = "http://localhost"

needs_node = pytest.mark.skipif(shutil.which("node") is None,
                                reason="node is needed for the independent verifier")


def _issue(make, names=("Siti Rahmawati",)):
    training, enrolments, organiser = certified_training(make, names=names)
    certificates = services.issue_all(training, actor=organiser, base=BASE)
    db.session.commit()
    return training, organiser, certificates


def _get_json(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.data[:300]
    return json.loads(response.data)


def run_verifier(tmp_path, client, credential, *, schema=True, profile=True):
    """Write the credential, the issuer profile and its status list as files and run Node."""
    assert (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir(), \
        "run `npm ci` (make test does) to install the verifier's packages"
    docs = {}
    issuer = _get_json(client, openbadges.ISSUER_PATH)
    (tmp_path / "issuer.json").write_text(json.dumps(issuer))
    docs[issuer["id"]] = tmp_path / "issuer.json"
    status = credential.get("credentialStatus")
    if status:
        url = status["statusListCredential"]
        (tmp_path / "status.json").write_text(json.dumps(_get_json(client, url.removeprefix(BASE))))
        docs[url] = tmp_path / "status.json"
    (tmp_path / "credential.json").write_text(json.dumps(credential, ensure_ascii=False))
    command = ["node", str(SCRIPT), "--credential", str(tmp_path / "credential.json")]
    for url, file in docs.items():
        command += ["--doc", f"{url}={file}"]
    if schema:
        command += ["--schema", str(SPECS / "ob3-achievementcredential-schema.json")]
    if profile:
        command += ["--profile", str(tmp_path / "issuer.json"),
                    "--profile-schema", str(SPECS / "ob3-profile-schema.json")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.stdout, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_node
def test_a_fresh_credential_verifies_with_digital_bazaar_and_the_1edtech_schemas(
        app, make, client, tmp_path):
    _t, _o, (certificate,) = _issue(make, names=["ميرا خان"])  # any script
    credential = _get_json(client, f"/api/v1/certificates/{certificate.code}/credential")
    assert credential["proof"][0]["@context"] == credential["@context"]
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
    verdict = run_verifier(tmp_path, client, credential)
    assert verdict["verified"] is True, verdict
    assert verdict["status"] == {"checked": True, "verified": True, "revoked": False,
                                 "error": None}
    assert verdict["schema"]["credential"] == {"valid": True, "errors": []}
    assert verdict["schema"]["profile"] == {"valid": True, "errors": []}


@needs_node
def test_a_tampered_credential_fails(app, make, client, tmp_path):
    _t, _o, (certificate,) = _issue(make)
    credential = _get_json(client, f"/api/v1/certificates/{certificate.code}/credential")
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    verdict = run_verifier(tmp_path, client, tampered, schema=False, profile=False)
    assert verdict["verified"] is False
    assert "signature" in verdict["error"].lower()
    moved = copy.deepcopy(credential)
    moved["credentialStatus"]["statusListIndex"] = str(
        (int(credential["credentialStatus"]["statusListIndex"]) + 1) % 131072)
    assert run_verifier(tmp_path, client, moved, schema=False, profile=False)["verified"] is False


@needs_node
def test_revoking_sets_the_bit_that_an_offline_copy_is_checked_against(
        app, make, client, tmp_path):
    _t, organiser, (certificate,) = _issue(make)
    copy_before = _get_json(client, f"/api/v1/certificates/{certificate.code}/credential")
    services.revoke(certificate, actor=organiser, reason="Attendance was recorded in error.")
    db.session.commit()
    verdict = run_verifier(tmp_path, client, copy_before, schema=False, profile=False)
    assert verdict["status"]["checked"] and verdict["status"]["verified"], verdict
    assert verdict["status"]["revoked"] is True
    assert verdict["verified"] is False
    # Our own reading of the same list says the same.
    listed = _get_json(client, copy_before["credentialStatus"]["statusListCredential"]
                       .removeprefix(BASE))
    bits = openbadges.decode_bitstring(listed["credentialSubject"]["encodedList"])
    index = int(copy_before["credentialStatus"]["statusListIndex"])
    assert len(bits) * 8 >= 131072
    assert bits[index // 8] & (0x80 >> (index % 8))
    assert sum(bin(b).count("1") for b in bits) == 1


@needs_node
def test_key_rotation_keeps_old_credentials_verifiable(app, make, client, tmp_path, runner):
    _t, _o, (first, second) = _issue(make, names=["A One", "B Two"])
    old = _get_json(client, f"/api/v1/certificates/{first.code}/credential")
    result = runner.invoke(args=["certificates", "rotate-key"])
    assert result.exit_code == 0 and result.output.startswith("key-2: z")
    new = _get_json(client, f"/api/v1/certificates/{second.code}/credential")
    assert old["proof"][0]["verificationMethod"].endswith("#key-1")
    assert new["proof"][0]["verificationMethod"].endswith("#key-2")
    profile = _get_json(client, openbadges.ISSUER_PATH)
    assert [m["id"] for m in profile["verificationMethod"]] == profile["assertionMethod"]
    assert len(profile["assertionMethod"]) == 2
    assert run_verifier(tmp_path, client, old, schema=False)["verified"] is True
    assert run_verifier(tmp_path, client, new, schema=False)["verified"] is True


def test_status_indexes_are_random_unique_and_the_list_is_public_and_cached(app, make, client):
    _t, _o, certificates = _issue(make, names=[f"Person {i}" for i in range(12)])
    for certificate in certificates:
        services.credential(certificate, BASE)
    db.session.commit()
    indexes = [c.status_index for c in db.session.query(Certificate).order_by(Certificate.id)]
    assert len(set(indexes)) == 12
    assert indexes != sorted(indexes) and max(indexes) > 1000  # not handed out in order
    (status_list,) = db.session.query(StatusList).all()
    assert status_list.length >= 131072 and status_list.used == 12
    response = client.get(f"/credentials/status/{status_list.id}")
    assert response.status_code == 200
    assert "public" in response.headers["Cache-Control"] and response.headers["ETag"]
    again = client.get(f"/credentials/status/{status_list.id}",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    body = response.get_json(force=True)
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["credentialSubject"]["statusPurpose"] == "revocation"
    assert client.get("/credentials/status/999").status_code == 404


def test_the_credential_is_public_and_an_invalid_one_is_refused(app, make, client):
    _t, organiser, (certificate,) = _issue(make)
    response = client.get(f"/api/v1/certificates/{certificate.code}/credential")
    assert response.status_code == 200
    assert client.get(f"/certificates/{certificate.code}/credential.json").status_code == 200
    services.revoke(certificate, actor=organiser, reason="Mistake")
    db.session.commit()
    refused = client.get(f"/api/v1/certificates/{certificate.code}/credential")
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_valid"
    assert client.get("/api/v1/certificates/NOPE-NOPE/credential").status_code == 404
