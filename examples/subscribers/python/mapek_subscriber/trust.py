"""The trust bundle of ``mapek pki`` and the verification of event signatures, as libs/pqc does them.

ML-DSA-65 (FIPS 204) comes from pyca/cryptography (``MLDSA65PublicKey``, OpenSSL underneath),
in pure mode with an empty context, as libs/pqc signs.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.mldsa import MLDSA65PublicKey

from .canonical_json import CanonicalJsonError, canonical_json

ML_DSA_65 = "ML-DSA-65"
PUBLIC_KEY_SIZE = 1952
SIGNATURE_SIZE = 3309
# Domain separation of libs/pqc: what precedes the canonical JSON in the signed bytes.
EVENT_CONTEXT = "mapek.event.v1\n"
BUNDLE_CONTEXT = "mapek.trust-bundle.v1\n"
# libs/pqc signature.headers.ts
HEADER_ALG, HEADER_KID, HEADER_SIG = "Mapek-Sig-Alg", "Mapek-Sig-Kid", "Mapek-Sig"
# Rejection reasons, named as libs/pqc's verifier names them.
BAD_SIGNATURE, UNKNOWN_KEY = "bad_signature", "unknown_key"

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class TrustBundleError(Exception):
    """The trust bundle cannot be trusted; `code` as libs/pqc's TrustBundleError."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} [{code}]")
        self.code = code


def decode_base64url(text: Any, size: int) -> bytes:
    if not isinstance(text, str) or not _BASE64URL.match(text):
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(raw) != size:
        raise ValueError(f"{len(raw)} bytes, not {size}")
    return raw


def parse_time(text: Any) -> datetime:
    if not isinstance(text, str):
        raise ValueError("not an ISO-8601 time")
    return datetime.fromisoformat(text)


def verify_ml_dsa_65(public_key: MLDSA65PublicKey, message: bytes, signature: Any) -> bool:
    try:
        public_key.verify(decode_base64url(signature, SIGNATURE_SIZE), message)  # context: empty
        return True
    except (InvalidSignature, ValueError):
        return False


@dataclass(frozen=True)
class VerificationKey:
    kid: str
    public_key: MLDSA65PublicKey
    not_before: datetime
    not_after: datetime


@dataclass
class TrustStore:
    """The ML-DSA-65 keys of a trust bundle whose CA signature verified."""

    trust_domain: str
    not_before: datetime
    not_after: datetime
    keys: dict[str, list[VerificationKey]] = field(default_factory=dict)
    names_by_spiffe_id: dict[str, str] = field(default_factory=dict)

    def key(self, source: str, kid: str, at: datetime) -> tuple[str, Optional[MLDSA65PublicKey]]:
        """The signing key `kid` of `source` (a name or SPIFFE id) if it and the bundle are valid at `at`."""
        name = self.names_by_spiffe_id.get(source, source)
        for key in self.keys.get(name, []):
            if key.kid == kid and key.not_before <= at <= key.not_after and self.not_before <= at <= self.not_after:
                return name, key.public_key
        return name, None

    def verify_event(self, subject: str, envelope: Any, header: Callable[[str], Optional[str]], at: datetime) -> tuple[Optional[str], Optional[str]]:
        """Checks an event's detached signature as libs/pqc's verifier does, up to the signature:
        a currently valid key of the claimed source, and ML-DSA-65 over
        "mapek.event.v1\\n" || canonicalJson({envelope, subject}). Returns (signer, None) or
        (None, "<reason>: <detail>") with reason bad_signature or unknown_key."""
        alg, kid, sig = header(HEADER_ALG), header(HEADER_KID), header(HEADER_SIG)
        if alg != ML_DSA_65 or not kid or not sig:
            return None, f"{BAD_SIGNATURE}: no ML-DSA-65 signature headers"
        if not isinstance(envelope, dict) or not all(isinstance(envelope.get(name), str) for name in ("id", "type", "time")):
            return None, f"{BAD_SIGNATURE}: envelope lacks id, type or time"
        source = envelope.get("source")
        name, public_key = self.key(source, kid, at) if isinstance(source, str) else (None, None)
        if public_key is None:
            return None, f"{UNKNOWN_KEY}: no valid key {kid} for source {source}"
        try:
            signed = (EVENT_CONTEXT + canonical_json({"envelope": envelope, "subject": subject})).encode("utf-8")
        except CanonicalJsonError as error:
            return None, f"{BAD_SIGNATURE}: {error}"
        if not verify_ml_dsa_65(public_key, signed, sig):
            return None, f"{BAD_SIGNATURE}: signature by {kid} does not verify (event {envelope['id']})"
        return name, None


def load_public_key(text: Any) -> MLDSA65PublicKey:
    return MLDSA65PublicKey.from_public_bytes(decode_base64url(text, PUBLIC_KEY_SIZE))


def open_trust_bundle(signed: Any, ca_kid: str, ca_key: MLDSA65PublicKey, now: datetime) -> TrustStore:
    """libs/pqc openTrustBundle: the CA's signature over canonicalJson(bundle), then the validity window."""
    bundle, signature = signed.get("bundle"), signed.get("signature") or {}
    try:
        message = (BUNDLE_CONTEXT + canonical_json(bundle)).encode("utf-8")
    except CanonicalJsonError as error:
        raise TrustBundleError("bundle_malformed", str(error)) from error
    if signature.get("alg") != ML_DSA_65 or signature.get("kid") != ca_kid or not verify_ml_dsa_65(ca_key, message, signature.get("sig")):
        raise TrustBundleError("bundle_bad_signature", "trust bundle is not signed by the CA key")
    try:
        store = TrustStore(bundle["trustDomain"], parse_time(bundle["notBefore"]), parse_time(bundle["notAfter"]))
        if not store.not_before <= now <= store.not_after:
            raise TrustBundleError("bundle_expired", f"trust bundle valid {bundle['notBefore']} .. {bundle['notAfter']}")
        for identity in bundle["identities"]:
            store.keys[identity["name"]] = [
                VerificationKey(key["kid"], load_public_key(key["publicKey"]), parse_time(key["notBefore"]), parse_time(key["notAfter"]))
                for key in identity["keys"]
                if key["use"] == "sig"  # X-Wing keys are for sealing payloads to the identity
            ]
            store.names_by_spiffe_id[identity["spiffeId"]] = identity["name"]
    except (KeyError, TypeError, ValueError) as error:
        raise TrustBundleError("bundle_malformed", f"trust bundle: {error}") from error
    return store


def load_trust_store(certs_dir: Path, now: datetime) -> TrustStore:
    """Reads `mapek pki`'s trust-bundle.json and ca.ml-dsa-65.pub.json and opens the bundle."""
    ca = json.loads((certs_dir / "ca.ml-dsa-65.pub.json").read_text("utf-8"))
    if ca.get("alg") != ML_DSA_65:
        raise TrustBundleError("bundle_malformed", "ca.ml-dsa-65.pub.json is not an ML-DSA-65 key")
    signed = json.loads((certs_dir / "trust-bundle.json").read_text("utf-8"))
    return open_trust_bundle(signed, ca["kid"], load_public_key(ca["publicKey"]), now)
