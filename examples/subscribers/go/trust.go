package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"
	"unicode/utf16"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

// The algorithm name in key files, trust bundles and the Mapek-Sig-Alg header.
const mlDsa65 = "ML-DSA-65"

// Domain separation of libs/pqc: what precedes the canonical JSON in the signed bytes.
const (
	eventContext  = "mapek.event.v1\n"
	bundleContext = "mapek.trust-bundle.v1\n"
)

// Signature headers of libs/pqc (signature.headers.ts).
const (
	headerSigAlg = "Mapek-Sig-Alg"
	headerSigKid = "Mapek-Sig-Kid"
	headerSig    = "Mapek-Sig"
)

// Rejection reasons, named as libs/pqc's verifier names them.
const (
	reasonBadSignature = "bad_signature"
	reasonUnknownKey   = "unknown_key"
)

type detachedSignature struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Sig string `json:"sig"`
}

type storedPublicKey struct {
	Kid       string `json:"kid"`
	Alg       string `json:"alg"`
	PublicKey string `json:"publicKey"`
}

type bundleKey struct {
	Kid       string    `json:"kid"`
	Use       string    `json:"use"`
	Alg       string    `json:"alg"`
	PublicKey string    `json:"publicKey"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
}

type bundleIdentity struct {
	Name     string      `json:"name"`
	SpiffeID string      `json:"spiffeId"`
	Keys     []bundleKey `json:"keys"`
}

type trustBundle struct {
	V           int              `json:"v"`
	TrustDomain string           `json:"trustDomain"`
	NotBefore   time.Time        `json:"notBefore"`
	NotAfter    time.Time        `json:"notAfter"`
	Identities  []bundleIdentity `json:"identities"`
}

type verificationKey struct {
	kid       string
	publicKey *mldsa65.PublicKey
	notBefore time.Time
	notAfter  time.Time
}

// trustStore holds the ML-DSA-65 keys of a trust bundle whose CA signature verified.
type trustStore struct {
	trustDomain string
	notBefore   time.Time
	notAfter    time.Time
	byName      map[string][]verificationKey
	bySpiffeID  map[string]string
}

var base64URL = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

func decodeBase64URL(text string, size int) ([]byte, error) {
	if !base64URL.MatchString(text) {
		return nil, errors.New("not base64url")
	}
	bytes, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil {
		return nil, err
	}
	if len(bytes) != size {
		return nil, fmt.Errorf("%d bytes, not %d", len(bytes), size)
	}
	return bytes, nil
}

func parsePublicKey(text string) (*mldsa65.PublicKey, error) {
	raw, err := decodeBase64URL(text, mldsa65.PublicKeySize)
	if err != nil {
		return nil, err
	}
	var key mldsa65.PublicKey
	if err := key.UnmarshalBinary(raw); err != nil {
		return nil, err
	}
	return &key, nil
}

// verifyMlDsa65 is ML-DSA-65 verification in pure mode with an empty context (FIPS 204
// Algorithm 3), as libs/pqc signs.
func verifyMlDsa65(key *mldsa65.PublicKey, message []byte, signature string) bool {
	sig, err := decodeBase64URL(signature, mldsa65.SignatureSize)
	return err == nil && mldsa65.Verify(key, message, nil, sig)
}

// loadTrustStore reads `mapek pki`'s trust-bundle.json and ca.ml-dsa-65.pub.json, and refuses a
// bundle whose CA signature does not verify or that is not valid at `now` (libs/pqc openTrustBundle).
func loadTrustStore(bundleFile, caKeyFile string, now time.Time) (*trustStore, error) {
	var ca storedPublicKey
	if err := readJSONFile(caKeyFile, &ca); err != nil {
		return nil, err
	}
	caKey, err := parsePublicKey(ca.PublicKey)
	if err != nil || ca.Alg != mlDsa65 {
		return nil, fmt.Errorf("%s: not an ML-DSA-65 public key", caKeyFile)
	}
	raw, err := os.ReadFile(bundleFile)
	if err != nil {
		return nil, err
	}
	return openTrustBundle(raw, ca.Kid, caKey, now)
}

func openTrustBundle(raw []byte, caKid string, caKey *mldsa65.PublicKey, now time.Time) (*trustStore, error) {
	var signed struct {
		Bundle    json.RawMessage   `json:"bundle"`
		Signature detachedSignature `json:"signature"`
	}
	if err := json.Unmarshal(raw, &signed); err != nil {
		return nil, fmt.Errorf("trust bundle: %w", err)
	}
	// The CA signed canonicalJson(bundle): re-canonicalise the bundle exactly as it is on disk.
	parsed, err := parseJSON(signed.Bundle)
	if err != nil {
		return nil, fmt.Errorf("trust bundle: %w", err)
	}
	canonical, err := canonicalJSON(parsed)
	if err != nil {
		return nil, fmt.Errorf("trust bundle: %w", err)
	}
	if signed.Signature.Alg != mlDsa65 || signed.Signature.Kid != caKid || !verifyMlDsa65(caKey, []byte(bundleContext+canonical), signed.Signature.Sig) {
		return nil, errors.New("trust bundle is not signed by the CA key [bundle_bad_signature]")
	}
	var bundle trustBundle
	if err := json.Unmarshal(signed.Bundle, &bundle); err != nil {
		return nil, fmt.Errorf("trust bundle: %w [bundle_malformed]", err)
	}
	if now.Before(bundle.NotBefore) || now.After(bundle.NotAfter) {
		return nil, fmt.Errorf("trust bundle valid %s .. %s [bundle_expired]", bundle.NotBefore.Format(time.RFC3339), bundle.NotAfter.Format(time.RFC3339))
	}
	store := &trustStore{trustDomain: bundle.TrustDomain, notBefore: bundle.NotBefore, notAfter: bundle.NotAfter, byName: map[string][]verificationKey{}, bySpiffeID: map[string]string{}}
	for _, identity := range bundle.Identities {
		keys := []verificationKey{}
		for _, key := range identity.Keys {
			if key.Use != "sig" {
				continue // X-Wing keys, for sealing payloads to the identity
			}
			publicKey, err := parsePublicKey(key.PublicKey)
			if err != nil {
				return nil, fmt.Errorf("trust bundle: bad key %s of %s: %w [bundle_malformed]", key.Kid, identity.Name, err)
			}
			keys = append(keys, verificationKey{kid: key.Kid, publicKey: publicKey, notBefore: key.NotBefore, notAfter: key.NotAfter})
		}
		store.byName[identity.Name] = keys
		store.bySpiffeID[identity.SpiffeID] = identity.Name
	}
	return store, nil
}

// key returns the signing key `kid` of `source` (a name or SPIFFE id) if it and the bundle are valid at `at`.
func (store *trustStore) key(source, kid string, at time.Time) (string, *mldsa65.PublicKey) {
	name := source
	if byID, ok := store.bySpiffeID[source]; ok {
		name = byID
	}
	for _, key := range store.byName[name] {
		if key.kid == kid && !at.Before(key.notBefore) && !at.After(key.notAfter) && !at.Before(store.notBefore) && !at.After(store.notAfter) {
			return name, key.publicKey
		}
	}
	return name, nil
}

// verifyEvent checks an event's detached signature as libs/pqc's verifier does, up to the
// signature: a currently valid key of the claimed source, and ML-DSA-65 over
// "mapek.event.v1\n" || canonicalJson({envelope, subject}). It returns the signer's name, or a
// reason (bad_signature | unknown_key) and a detail.
func (store *trustStore) verifyEvent(subject string, envelope *jsonValue, header func(string) string, at time.Time) (signer, reason, detail string) {
	alg, kid, sig := header(headerSigAlg), header(headerSigKid), header(headerSig)
	if alg != mlDsa65 || kid == "" || sig == "" {
		return "", reasonBadSignature, "no ML-DSA-65 signature headers"
	}
	id, idOK := envelope.member("id").stringValue()
	_, typeOK := envelope.member("type").stringValue()
	_, timeOK := envelope.member("time").stringValue()
	if !idOK || !typeOK || !timeOK {
		return "", reasonBadSignature, "envelope lacks id, type or time"
	}
	source, sourceOK := envelope.member("source").stringValue()
	name, key := store.key(source, kid, at)
	if !sourceOK || key == nil {
		return "", reasonUnknownKey, fmt.Sprintf("no valid key %s for source %s", kid, source)
	}
	input, err := eventSigningInput(subject, envelope)
	if err != nil {
		return "", reasonBadSignature, err.Error()
	}
	if !verifyMlDsa65(key, input, sig) {
		return "", reasonBadSignature, fmt.Sprintf("signature by %s does not verify (event %s)", kid, id)
	}
	return name, "", ""
}

// eventSigningInput is libs/pqc's eventSigningInput: "mapek.event.v1\n" || canonicalJson({ envelope, subject }).
func eventSigningInput(subject string, envelope *jsonValue) ([]byte, error) {
	signed := &jsonValue{kind: kindObject, members: []jsonMember{
		{key: utf16.Encode([]rune("envelope")), value: envelope},
		{key: utf16.Encode([]rune("subject")), value: &jsonValue{kind: kindString, text: utf16.Encode([]rune(subject))}},
	}}
	canonical, err := canonicalJSON(signed)
	if err != nil {
		return nil, err
	}
	return []byte(eventContext + canonical), nil
}

func readJSONFile(file string, into any) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}
