"""Open Badges 3.0 credentials signed with an ``eddsa-jcs-2022`` Data Integrity proof.

The issuer key is an Ed25519 key in ``<instance>/keys/openbadges-ed25519.pem`` (made on
first use, mode 0600). Its public half is published in the issuer profile at
``/.well-known/anyam/issuer.json`` as a ``Multikey`` (``publicKeyMultibase``) and a JWK, so
anyone can verify a credential offline.

The proof follows the W3C "Data Integrity EdDSA Cryptosuites" ``eddsa-jcs-2022``: the
proof options (with the document's ``@context``) and the document without its proof are
each canonicalised with JCS (RFC 8785), hashed with SHA-256, and the two hashes
(options first) signed with Ed25519; ``proofValue`` is the base58btc multibase signature.
Our JCS is ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, which
equals RFC 8785 for the values used here (strings, integers, booleans, no floats).
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
ISSUER_PATH = "/.well-known/anyam/issuer.json"
KEY_FRAGMENT = "#key-1"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB_PREFIX = b"\xed\x01"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def jcs(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


# Keys ----------------------------------------------------------------------------------

def key_path() -> Path:
    return Path(current_app.instance_path) / "keys" / "openbadges-ed25519.pem"


def private_key() -> Ed25519PrivateKey:
    path = key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} is not an Ed25519 key")
    return key


def public_multibase(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(_ED25519_PUB_PREFIX + raw)


def public_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    data = b58decode(value[1:])
    if not data.startswith(_ED25519_PUB_PREFIX) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def public_jwk(public: Ed25519PublicKey, kid: str) -> dict:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid,
            "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}


# Issuer profile --------------------------------------------------------------------------

def issuer_id(base_url: str) -> str:
    return base_url.rstrip("/") + ISSUER_PATH


def issuer_profile(base_url: str) -> dict:
    """The issuer's Profile with its verification method (public key)."""
    public = private_key().public_key()
    ident = issuer_id(base_url)
    method = ident + KEY_FRAGMENT
    return {
        "@context": CONTEXTS + ["https://w3id.org/security/multikey/v1"],
        "id": ident,
        "type": ["Profile"],
        "name": current_app.config.get("CERTIFICATE_ISSUER_NAME") or "Anyam",
        "url": base_url.rstrip("/") + "/",
        "verificationMethod": [{
            "id": method, "type": "Multikey", "controller": ident,
            "publicKeyMultibase": public_multibase(public),
            "publicKeyJwk": public_jwk(public, method),
        }],
        "assertionMethod": [method],
    }


# Credentials -----------------------------------------------------------------------------

def build_credential(claims: dict, *, code: str, verify_url: str, base_url: str,
                     issued_at: str, email: str, revoked: bool = False) -> dict:
    """The unsigned OpenBadgeCredential of one certificate (plain values in, dict out)."""
    salt = hashlib.sha256(f"anyam-ob:{code}".encode()).hexdigest()[:16]
    email_hash = hashlib.sha256((email.lower() + salt).encode()).hexdigest()
    title = claims["training"]
    statement = claims.get("statement") or {}
    return {
        "@context": list(CONTEXTS),
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{title['en']} / {title['id']}",
        "issuer": {"id": issuer_id(base_url), "type": ["Profile"],
                   "name": current_app.config.get("CERTIFICATE_ISSUER_NAME") or "Anyam"},
        "validFrom": issued_at,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False,
                 "identityHash": claims["name"]},
                {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                 "identityHash": "sha256$" + email_hash, "salt": salt},
            ],
            "activityStartDate": claims["first_date"] + "T00:00:00Z",
            "activityEndDate": claims["last_date"] + "T00:00:00Z",
            "achievement": {
                "id": f"{verify_url}#achievement",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": title["en"],
                "description": statement.get("en") or title["en"],
                "criteria": {"narrative": (
                    f"Attended {claims['sessions_attended']} of {claims['sessions_held']} sessions"
                    f" ({claims['first_date']} to {claims['last_date']}); issued by "
                    + ", ".join(o["name"] for o in claims.get("organisations", [])) + ".")},
                "inLanguage": "en",
                "creator": {"id": issuer_id(base_url), "type": ["Profile"],
                            "name": ", ".join(o["name"] for o in claims.get("organisations", []))
                            or "Anyam"},
            },
        },
        "evidence": [{"id": verify_url, "type": ["Evidence"],
                      "name": f"Verification code {code}"}],
    }


def sign(credential: dict, *, base_url: str, created: str) -> dict:
    """Add an ``eddsa-jcs-2022`` DataIntegrityProof made with the instance's key."""
    document = {k: v for k, v in credential.items() if k != "proof"}
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
               "created": created, "verificationMethod": issuer_id(base_url) + KEY_FRAGMENT,
               "proofPurpose": "assertionMethod", "@context": document["@context"]}
    signature = private_key().sign(_hash_data(options, document))
    proof = {k: v for k, v in options.items() if k != "@context"}
    proof["proofValue"] = "z" + b58encode(signature)
    return {**document, "proof": proof}


def _hash_data(options: dict, document: dict) -> bytes:
    return hashlib.sha256(jcs(options)).digest() + hashlib.sha256(jcs(document)).digest()


def verify(credential: dict, public_key_multibase: str) -> bool:
    """True when the credential's proof was made by that key over exactly this content."""
    try:
        credential = copy.deepcopy(credential)
        proof = credential.pop("proof")
        if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-jcs-2022":
            return False
        value = proof.pop("proofValue")
        if not value.startswith("z"):
            return False
        options = {**proof, "@context": credential["@context"]}
        public_from_multibase(public_key_multibase).verify(
            b58decode(value[1:]), _hash_data(options, credential))
    except (InvalidSignature, KeyError, ValueError, TypeError, AttributeError):
        return False
    return True
