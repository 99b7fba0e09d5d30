// Command subscriber follows mapek's events as the read-only `subscriber` identity: it connects to
// NATS over mutual TLS, subscribes to every event subject of the AsyncAPI document, validates each
// event against its generated JSON Schema, verifies its ML-DSA-65 signature against the CA-signed
// trust bundle, and prints one JSON line per event on stdout. Logs go to stderr, as JSON lines.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

type options struct {
	natsURL      string
	certsDir     string
	identity     string
	contractsDir string
	prefix       string
	types        string
}

// report is the line printed for each event.
type report struct {
	Subject           string   `json:"subject"`
	Type              any      `json:"type"`
	Version           any      `json:"version"`
	ID                any      `json:"id"`
	Source            any      `json:"source"`
	IncidentID        any      `json:"incidentId"`
	Valid             bool     `json:"valid"`
	Errors            []string `json:"errors,omitempty"`
	SignatureVerified bool     `json:"signatureVerified"`
	Signer            string   `json:"signer,omitempty"`
	SignatureError    string   `json:"signatureError,omitempty"`
}

func main() {
	var opts options
	flag.StringVar(&opts.natsURL, "nats-url", envOr("NATS_URL", "nats://127.0.0.1:4222"), "NATS server URL(s), comma-separated (env NATS_URL)")
	flag.StringVar(&opts.certsDir, "certs", envOr("MAPEK_CERTS_DIR", "data/certs"), "directory written by `mapek pki init` (env MAPEK_CERTS_DIR)")
	flag.StringVar(&opts.identity, "identity", "subscriber", "identity whose certificate and key to connect with")
	flag.StringVar(&opts.contractsDir, "contracts", envOr("MAPEK_CONTRACTS_DIR", "docs/contracts"), "generated contract documents (env MAPEK_CONTRACTS_DIR)")
	flag.StringVar(&opts.prefix, "prefix", envOr("MAPEK_SUBJECT_PREFIX", "mapek"), "subject prefix (env MAPEK_SUBJECT_PREFIX)")
	flag.StringVar(&opts.types, "types", "", "comma-separated event types to follow (default: every event type)")
	flag.Parse()
	if err := run(opts); err != nil {
		logLine("error", err.Error(), nil)
		os.Exit(1)
	}
}

func run(opts options) error {
	only := map[string]bool{}
	for _, name := range strings.Split(opts.types, ",") {
		if name = strings.TrimSpace(name); name != "" {
			only[name] = true
		}
	}
	channels, err := loadChannels(opts.contractsDir, opts.prefix, only)
	if err != nil {
		return err
	}
	trust, err := loadTrustStore(filepath.Join(opts.certsDir, "trust-bundle.json"), filepath.Join(opts.certsDir, "ca.ml-dsa-65.pub.json"), time.Now())
	if err != nil {
		return err
	}
	tlsConfig, err := clientTLS(opts.certsDir, opts.identity)
	if err != nil {
		return err
	}
	asyncErrors := make(chan error, 1)
	nc, err := nats.Connect(opts.natsURL,
		nats.Name("mapek-subscriber-go"),
		nats.Secure(tlsConfig),
		nats.CustomInboxPrefix("_INBOX_"+opts.identity), // the only inbox the identity may read
		nats.MaxReconnects(-1),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case asyncErrors <- err:
			default:
			}
		}),
	)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", opts.natsURL, err)
	}
	defer nc.Close()

	// One channel for every subscription: events are checked and printed one at a time, in the
	// order they arrive.
	messages := make(chan *nats.Msg, 4096)
	bySubject := map[string]*channel{}
	subjects := []string{}
	for i := range channels {
		if _, err := nc.ChanSubscribe(channels[i].subject, messages); err != nil {
			return err
		}
		bySubject[channels[i].subject] = &channels[i]
		subjects = append(subjects, channels[i].subject)
	}
	// The server answers the flush after it processed the subscriptions, and reports a refused one first.
	if err := nc.Flush(); err != nil {
		return err
	}
	if err := nc.LastError(); err != nil {
		return err
	}
	state, _ := nc.TLSConnectionState()
	logLine("info", "subscribed", map[string]any{
		"subjects": subjects, "identity": opts.identity, "trustDomain": trust.trustDomain, "tlsVersion": tls.VersionName(state.Version), "tlsGroup": state.CurveID.String(),
	})

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	out := json.NewEncoder(os.Stdout)
	for {
		select {
		case msg := <-messages:
			if err := out.Encode(check(msg, bySubject[msg.Sub.Subject], trust)); err != nil {
				return err
			}
		case err := <-asyncErrors:
			if errors.Is(err, nats.ErrPermissionViolation) {
				return err
			}
			logLine("warn", err.Error(), nil)
		case <-stop:
			return nc.Drain()
		}
	}
}

// check validates one event and verifies its signature.
func check(msg *nats.Msg, channel *channel, trust *trustStore) report {
	line := report{Subject: msg.Subject}
	envelope, err := parseJSON(msg.Data)
	if err != nil {
		line.Errors = []string{err.Error()}
		line.SignatureError = reasonBadSignature + ": " + err.Error()
		return line
	}
	line.Type, line.Version, line.ID, line.Source, line.IncidentID = plain(envelope.member("type")), plain(envelope.member("version")), plain(envelope.member("id")), plain(envelope.member("source")), plain(envelope.member("incidentId"))
	line.Errors = channel.validate(envelope)
	line.Valid = len(line.Errors) == 0
	signer, reason, detail := trust.verifyEvent(msg.Subject, envelope, msg.Header.Get, time.Now())
	line.SignatureVerified = reason == ""
	line.Signer = signer
	if reason != "" {
		line.SignatureError = reason + ": " + detail
	}
	return line
}

// plain gives a member's value for the report (nil when absent).
func plain(value *jsonValue) any {
	if value == nil {
		return nil
	}
	if value.kind == kindNumber {
		return json.Number(value.number)
	}
	return toAny(value)
}

// clientTLS is mutual TLS as the identity, trusting only the development CA. TLS 1.3 with the
// hybrid post-quantum group X25519MLKEM768 first, as mapek's own clients offer.
func clientTLS(certsDir, identity string) (*tls.Config, error) {
	certificate, err := tls.LoadX509KeyPair(filepath.Join(certsDir, identity, "tls.crt"), filepath.Join(certsDir, identity, "tls.key"))
	if err != nil {
		return nil, fmt.Errorf("identity %s: %w", identity, err)
	}
	caPEM, err := os.ReadFile(filepath.Join(certsDir, "ca.crt"))
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("ca.crt holds no certificate")
	}
	return &tls.Config{
		Certificates:     []tls.Certificate{certificate},
		RootCAs:          roots,
		MinVersion:       tls.VersionTLS13,
		CurvePreferences: []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256},
	}, nil
}

func logLine(level, message string, fields map[string]any) {
	line := map[string]any{"level": level, "msg": message, "time": time.Now().UTC().Format(time.RFC3339Nano)}
	for key, value := range fields {
		line[key] = value
	}
	encoded, _ := json.Marshal(line)
	fmt.Fprintln(os.Stderr, string(encoded))
}

func envOr(name, fallback string) string {
	if value, ok := os.LookupEnv(name); ok && value != "" {
		return value
	}
	return fallback
}
