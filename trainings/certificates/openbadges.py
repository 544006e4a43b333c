"""Open Badges 3.0 credentials signed with an ``eddsa-jcs-2022`` Data Integrity proof.

Keys: Ed25519 keys in ``<instance>/keys/`` (mode 0600): ``openbadges-ed25519.pem`` is
``#key-1`` (made on first use), ``openbadges-ed25519-key-<n>.pem`` the later ones made by
``flask certificates rotate-key``. The newest key signs; every key stays published in the
issuer profile at ``/.well-known/anyam/issuer.json``, so credentials signed before a
rotation still verify.

The issuer profile is an Open Badges ``Profile`` that is also a controller document: its
``@context`` adds the Multikey and the security vocabularies so that ``verificationMethod``,
``assertionMethod``, ``Multikey`` and ``publicKeyMultibase`` are defined terms (a JSON-LD
verifier frames it in safe mode), and each key's ``id`` is a fragment of the profile's URL.

The proof follows the W3C "Data Integrity EdDSA Cryptosuites" ``eddsa-jcs-2022``: the
proof options (carrying the document's ``@context``) and the document without its proof
are each canonicalised with JCS (RFC 8785), hashed with SHA-256, and the two hashes
(options first) signed with Ed25519; ``proofValue`` is the base58btc multibase signature.
The emitted proof carries the same ``@context`` that was signed. Our JCS is
``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``, which equals
RFC 8785 for the values used here (strings, integers, booleans, no floats).
"""
from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:  # cryptography is imported where it is used (start-up memory)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
SECURITY_CONTEXT = "https://w3id.org/security/v2"
CONTEXTS = [VC_CONTEXT, OB_CONTEXT]
PROFILE_CONTEXTS = [VC_CONTEXT, OB_CONTEXT, MULTIKEY_CONTEXT, SECURITY_CONTEXT]
ISSUER_PATH = "/.well-known/anyam/issuer.json"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_PUB_PREFIX = b"\xed\x01"
_KEY_FILE = re.compile(r"openbadges-ed25519(?:-key-(\d+))?\.pem")


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

def keys_dir() -> Path:
    return Path(current_app.instance_path) / "keys"


def _key_files() -> dict[int, Path]:
    """Key number -> file, for every issuer key in the instance folder."""
    found = {}
    folder = keys_dir()
    if folder.is_dir():
        for path in folder.iterdir():
            match = _KEY_FILE.fullmatch(path.name)
            if match:
                found[int(match.group(1) or 1)] = path
    return found


def _file_of(number: int) -> Path:
    name = "openbadges-ed25519.pem" if number == 1 else f"openbadges-ed25519-key-{number}.pem"
    return keys_dir() / name


def _write_new_key(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def _load(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} is not an Ed25519 key")
    return key


def current_key_number() -> int:
    """The number of the key that signs now (the first key is made on first use)."""
    files = _key_files()
    if not files:
        _write_new_key(_file_of(1))
        return 1
    return max(files)


def key_path() -> Path:
    """The file of the key that signs now."""
    return _file_of(current_key_number())


def private_key() -> Ed25519PrivateKey:
    return _load(key_path())


def key_fragment(number: int) -> str:
    return f"#key-{number}"


def rotate_key() -> int:
    """Make a new signing key; the old ones stay published (old credentials still verify)."""
    number = current_key_number() + 1
    _write_new_key(_file_of(number))
    return number


def public_keys() -> dict[int, Ed25519PublicKey]:
    current_key_number()  # make the first key when there is none
    return {n: _load(path).public_key() for n, path in sorted(_key_files().items())}


def public_multibase(public: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(_ED25519_PUB_PREFIX + raw)


def public_from_multibase(value: str) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    if not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    data = b58decode(value[1:])
    if not data.startswith(_ED25519_PUB_PREFIX) or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


# Issuer profile --------------------------------------------------------------------------

def issuer_id(base_url: str) -> str:
    return base_url.rstrip("/") + ISSUER_PATH


def issuer_name() -> str:
    return current_app.config.get("CERTIFICATE_ISSUER_NAME") or "Anyam"


def issuer_profile(base_url: str) -> dict:
    """The issuer's Profile and controller document: every key, newest last."""
    ident = issuer_id(base_url)
    methods = [{"id": ident + key_fragment(n), "type": "Multikey", "controller": ident,
                "publicKeyMultibase": public_multibase(public)}
               for n, public in public_keys().items()]
    return {
        "@context": list(PROFILE_CONTEXTS),
        "id": ident,
        "type": ["Profile"],
        "name": issuer_name(),
        "url": base_url.rstrip("/") + "/",
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def verification_method(profile: dict, method_id: str) -> dict | None:
    return next((m for m in profile.get("verificationMethod", []) if m.get("id") == method_id),
                None)


# Credentials -----------------------------------------------------------------------------

def build_credential(claims: dict, *, code: str, verify_url: str, base_url: str,
                     issued_at: str, email: str, credential_status: dict | None = None) -> dict:
    """The unsigned OpenBadgeCredential of one certificate (plain values in, dict out)."""
    salt = hashlib.sha256(f"anyam-ob:{code}".encode()).hexdigest()[:16]
    email_hash = hashlib.sha256((email.lower() + salt).encode()).hexdigest()
    title = claims["training"]
    statement = claims.get("statement") or {}
    organisers = ", ".join(o["name"] for o in claims.get("organisations", []))
    credential = {
        "@context": list(CONTEXTS),
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{title['en']} / {title['id']}",
        "issuer": {"id": issuer_id(base_url), "type": ["Profile"], "name": issuer_name()},
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
                    + organisers + ".")},
                "inLanguage": "en",
                "creator": {"id": issuer_id(base_url), "type": ["Profile"],
                            "name": organisers or "Anyam"},
            },
        },
        "evidence": [{"id": verify_url, "type": ["Evidence"],
                      "name": f"Verification code {code}"}],
    }
    if credential_status is not None:
        credential["credentialStatus"] = credential_status
    return credential


def sign(document: dict, *, base_url: str, created: str) -> dict:
    """Add an ``eddsa-jcs-2022`` DataIntegrityProof made with the instance's current key
    (as a proof set of one: ``"proof": [...]``)."""
    document = {k: v for k, v in document.items() if k != "proof"}
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
               "created": created,
               "verificationMethod": issuer_id(base_url) + key_fragment(current_key_number()),
               "proofPurpose": "assertionMethod", "@context": document["@context"]}
    signature = private_key().sign(_hash_data(options, document))
    # A proof set of one (the 1EdTech schema wants an array; VC 2.0 allows both).
    return {**document, "proof": [{**options, "proofValue": "z" + b58encode(signature)}]}


def _hash_data(options: dict, document: dict) -> bytes:
    return hashlib.sha256(jcs(options)).digest() + hashlib.sha256(jcs(document)).digest()


def verify(credential: dict, public_key_multibase: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    """True when the credential's proof was made by that key over exactly this content."""
    try:
        credential = copy.deepcopy(credential)
        proof = credential.pop("proof")
        if isinstance(proof, list):
            if len(proof) != 1:
                return False
            proof = proof[0]
        if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-jcs-2022":
            return False
        if proof.get("@context", credential["@context"]) != credential["@context"]:
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


def encode_bitstring(bits: bytes) -> str:
    """A Bitstring Status List's ``encodedList``: GZIP, then multibase base64url (``u``)."""
    return "u" + base64.urlsafe_b64encode(gzip.compress(bits, mtime=0)).rstrip(b"=").decode()


def decode_bitstring(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("not a base64url multibase value")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
