"""A read-only subscriber to mapek's events: validates them against the generated JSON Schemas and
verifies their ML-DSA-65 signatures against the CA-signed trust bundle."""
