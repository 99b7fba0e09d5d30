package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testdata/vectors.json is made by libs/pqc (testdata/vectors.mjs); these tests hold this
// subscriber to what the TypeScript services compute.
type vectors struct {
	VerifyAt      time.Time `json:"verifyAt"`
	CanonicalJSON []struct {
		Name      string `json:"name"`
		JSON      string `json:"json"`
		Canonical string `json:"canonical"`
	} `json:"canonicalJson"`
	CAPublicKey         storedPublicKey `json:"caPublicKey"`
	TrustBundle         json.RawMessage `json:"trustBundle"`
	TamperedTrustBundle json.RawMessage `json:"tamperedTrustBundle"`
	SignedEvents        []struct {
		Name    string            `json:"name"`
		Subject string            `json:"subject"`
		Body    string            `json:"body"`
		Headers map[string]string `json:"headers"`
		Expect  string            `json:"expect"`
	} `json:"signedEvents"`
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCanonicalJSONMatchesLibsPqc(t *testing.T) {
	for _, vector := range loadVectors(t).CanonicalJSON {
		value, err := parseJSON([]byte(vector.JSON))
		if err != nil {
			t.Fatalf("%s: %v", vector.Name, err)
		}
		got, err := canonicalJSON(value)
		if err != nil {
			t.Fatalf("%s: %v", vector.Name, err)
		}
		if got != vector.Canonical {
			t.Errorf("%s:\n got  %s\n want %s", vector.Name, got, vector.Canonical)
		}
	}
}

func TestSignedEventsVerifyAsLibsPqcSays(t *testing.T) {
	v := loadVectors(t)
	caKey, err := parsePublicKey(v.CAPublicKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := openTrustBundle(v.TrustBundle, v.CAPublicKey.Kid, caKey, v.VerifyAt)
	if err != nil {
		t.Fatal(err)
	}
	for _, vector := range v.SignedEvents {
		envelope, err := parseJSON([]byte(vector.Body))
		if err != nil {
			t.Fatalf("%s: %v", vector.Name, err)
		}
		_, reason, detail := trust.verifyEvent(vector.Subject, envelope, func(name string) string { return vector.Headers[name] }, v.VerifyAt)
		if got := map[bool]string{true: "ok", false: reason}[reason == ""]; got != vector.Expect {
			t.Errorf("%s: got %s (%s), want %s", vector.Name, got, detail, vector.Expect)
		}
	}
}

func TestRefusesATrustBundleTheCADidNotSign(t *testing.T) {
	v := loadVectors(t)
	caKey, _ := parsePublicKey(v.CAPublicKey.PublicKey)
	if _, err := openTrustBundle(v.TamperedTrustBundle, v.CAPublicKey.Kid, caKey, v.VerifyAt); err == nil || !strings.Contains(err.Error(), "bundle_bad_signature") {
		t.Fatalf("a tampered bundle opened: %v", err)
	}
	if _, err := openTrustBundle(v.TrustBundle, v.CAPublicKey.Kid, caKey, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil || !strings.Contains(err.Error(), "bundle_expired") {
		t.Fatalf("an expired bundle opened: %v", err)
	}
}

func TestRejectsWhatJSONParseRejects(t *testing.T) {
	for _, text := range []string{`{"a":1,}`, `[01]`, `[1.]`, `[.5]`, `[+1]`, `["\x"]`, `["a` + "\x01" + `"]`, `[NaN]`, `{"a" 1}`, `[1] x`, `"\u12G4"`, "\xff"} {
		if _, err := parseJSON([]byte(text)); err == nil {
			t.Errorf("%q parsed", text)
		}
	}
	if _, err := parseJSON([]byte("\ufeff{}")); err != nil {
		t.Errorf("a leading BOM is dropped as TextDecoder drops it: %v", err)
	}
}

func TestFollowsTheEventChannelsOfTheAsyncAPIDocument(t *testing.T) {
	channels, err := loadChannels(filepath.Join("..", "..", "..", "docs", "contracts"), "mapek", nil)
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]string{}
	for _, c := range channels {
		subjects[c.subject] = c.eventType
	}
	if subjects["mapek.symptoms.*"] != "symptom" || subjects["mapek.decisions.*"] != "decision" || subjects["mapek.plans.approved.*"] != "plan.approved" {
		t.Errorf("event channels: %v", subjects)
	}
	for subject := range subjects {
		if strings.Contains(subject, "actuate") || strings.Contains(subject, "dlq") || strings.Contains(subject, "svc") {
			t.Errorf("%s is not an event channel", subject)
		}
	}
	var symptoms *channel
	for i := range channels {
		if channels[i].eventType == "symptom" {
			symptoms = &channels[i]
		}
	}
	genuine, _ := parseJSON([]byte(loadVectors(t).SignedEvents[0].Body))
	if problems := symptoms.validate(genuine); len(problems) > 0 {
		t.Errorf("a genuine symptom is invalid: %v", problems)
	}
	broken, _ := parseJSON([]byte(strings.Replace(loadVectors(t).SignedEvents[0].Body, `"critical"`, `"dire"`, 1)))
	if problems := symptoms.validate(broken); len(problems) != 1 || !strings.Contains(problems[0], "/data/severity") {
		t.Errorf("an unknown severity: %v", problems)
	}
}
