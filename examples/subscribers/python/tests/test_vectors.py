"""testdata/vectors.json is made by libs/pqc (testdata/vectors.mjs); these tests hold this
subscriber to what the TypeScript services compute."""

from __future__ import annotations

import json
import unittest
from datetime import datetime, timezone
from pathlib import Path

from mapek_subscriber.canonical_json import canonical_json, parse_body
from mapek_subscriber.contracts import load_channels
from mapek_subscriber.trust import TrustBundleError, load_public_key, open_trust_bundle

HERE = Path(__file__).resolve().parent
VECTORS = json.loads((HERE.parent.parent / "testdata" / "vectors.json").read_text("utf-8"))
CONTRACTS = HERE.parent.parent.parent.parent / "docs" / "contracts"
VERIFY_AT = datetime.fromisoformat(VECTORS["verifyAt"])


def trust_store(signed=VECTORS["trustBundle"], at=VERIFY_AT):
    ca = VECTORS["caPublicKey"]
    return open_trust_bundle(signed, ca["kid"], load_public_key(ca["publicKey"]), at)


class CanonicalJsonTest(unittest.TestCase):
    def test_matches_libs_pqc_on_every_vector(self) -> None:
        for vector in VECTORS["canonicalJson"]:
            with self.subTest(vector["name"]):
                self.assertEqual(canonical_json(parse_body(vector["json"].encode("utf-8", "surrogatepass"))), vector["canonical"])

    def test_refuses_what_json_parse_refuses(self) -> None:
        for text in ['{"a":1,}', "[01]", "[1.]", "[.5]", "[+1]", '["\\x"]', '["a\x01"]', "[NaN]", "[Infinity]", '{"a" 1}', "[1] x"]:
            with self.subTest(text), self.assertRaises(ValueError):
                parse_body(text.encode())
        with self.assertRaises(UnicodeDecodeError):
            parse_body(b'"\xff"')
        self.assertEqual(parse_body(b"\xef\xbb\xbf{}"), {})  # TextDecoder drops a leading BOM


class SignatureTest(unittest.TestCase):
    def test_signed_events_verify_as_libs_pqc_says(self) -> None:
        trust = trust_store()
        for vector in VECTORS["signedEvents"]:
            with self.subTest(vector["name"]):
                _, problem = trust.verify_event(vector["subject"], parse_body(vector["body"].encode("utf-8", "surrogatepass")), vector["headers"].get, VERIFY_AT)
                self.assertEqual("ok" if problem is None else problem.split(":")[0], vector["expect"], problem)

    def test_refuses_a_trust_bundle_the_ca_did_not_sign_or_that_expired(self) -> None:
        with self.assertRaises(TrustBundleError) as tampered:
            trust_store(VECTORS["tamperedTrustBundle"])
        self.assertEqual(tampered.exception.code, "bundle_bad_signature")
        with self.assertRaises(TrustBundleError) as expired:
            trust_store(at=datetime(2100, 1, 1, tzinfo=timezone.utc))
        self.assertEqual(expired.exception.code, "bundle_expired")


class ContractsTest(unittest.TestCase):
    def test_follows_the_event_channels_of_the_asyncapi_document(self) -> None:
        channels = {channel.subject: channel for channel in load_channels(CONTRACTS, "mapek")}
        self.assertEqual(channels["mapek.symptoms.*"].event_type, "symptom")
        self.assertEqual(channels["mapek.decisions.*"].event_type, "decision")
        self.assertFalse([subject for subject in channels if any(kind in subject for kind in ("actuate", "dlq", "svc"))])
        genuine = parse_body(VECTORS["signedEvents"][0]["body"].encode("utf-8", "surrogatepass"))
        self.assertEqual(channels["mapek.symptoms.*"].validate(genuine), [])
        problems = channels["mapek.symptoms.*"].validate({**genuine, "target": "demo-app\n", "data": {**genuine["data"], "severity": "dire"}})
        self.assertEqual(len(problems), 2, problems)  # an ECMA-262 `$` does not match before a newline
        self.assertTrue(any("/data/severity" in problem for problem in problems), problems)
        self.assertTrue(any("/target" in problem for problem in problems), problems)


if __name__ == "__main__":
    unittest.main()
