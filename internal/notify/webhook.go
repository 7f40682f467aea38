package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook headers. A receiver verifies a delivery with Verify:
//
//	Qingdan-Delivery-Id: the message's stable id (the same on every attempt: dedupe on it)
//	Qingdan-Timestamp:   unix seconds when this attempt was signed
//	Qingdan-Signature:   sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
const (
	HeaderDeliveryID = "Qingdan-Delivery-Id"
	HeaderTimestamp  = "Qingdan-Timestamp"
	HeaderSignature  = "Qingdan-Signature"
)

// Envelope is the JSON body of every webhook: the delivery's id, what
// caused it, when it was enqueued, the case or complaint it concerns, and
// the sender's data.
type Envelope struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Root      *Root           `json:"root,omitempty"`
	Data      json.RawMessage `json:"data"`
}

// Root names the case or complaint a webhook concerns.
type Root struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Endpoint is a receiving system, as an administrator registered it
// (notifydb's notify_endpoints): messages name it, the deliverer posts to
// its URL signed with its secret.
type Endpoint struct {
	Name   string
	URL    string
	Secret string
}

// MaxEndpointURL bounds an endpoint's URL.
const MaxEndpointURL = 2000

// CheckEndpointName accepts 1–64 letters, digits, '-', '_' and '.'; an
// error names field.
func CheckEndpointName(field, name string) error {
	if name == "" || len(name) > 64 {
		return invalid(field, "endpoint.name")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return invalid(field, "endpoint.name")
		}
	}
	return nil
}

// CheckEndpointURL accepts an absolute http or https URL with a host and
// without credentials or fragment (a secret belongs in the endpoint's
// secret, not its URL, which pages show).
func CheckEndpointURL(raw string) error {
	if len(raw) > MaxEndpointURL {
		return invalid("url", "endpoint.url_long", MaxEndpointURL)
	}
	if err := checkHTTPURL(raw); err != nil {
		return invalid("url", "endpoint.url", raw)
	}
	return nil
}

func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("not http(s)")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("no host")
	case u.User != nil || u.Fragment != "" || strings.ContainsAny(raw, " \t\r\n"):
		return errors.New("credentials, fragment or blanks")
	}
	return nil
}

// Sign is the Qingdan-Signature of body signed at timestamp (unix
// seconds) with secret.
func Sign(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("notify: the request has no Qingdan-Timestamp or Qingdan-Signature")
	ErrBadSignature = errors.New("notify: the signature does not match the body")
	ErrStale        = errors.New("notify: the timestamp is outside the tolerance (a replay, or clocks apart)")
)

// DefaultTolerance is how far a webhook's timestamp may be from the
// receiver's clock.
const DefaultTolerance = 5 * time.Minute

// Verify checks a webhook as its receiver got it: the signature over the
// raw body (read it whole first, before any JSON decoding) with the
// endpoint's secret, compared in constant time, and the timestamp within
// tolerance of now (0: DefaultTolerance), which refuses a recorded request
// replayed later. A receiver then dedupes on Qingdan-Delivery-Id: delivery
// is at least once.
//
//	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
//	if err != nil { … }
//	if err := notify.Verify(secret, r.Header, body, time.Now(), 0); err != nil {
//		http.Error(w, "bad signature", http.StatusUnauthorized)
//		return
//	}
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts, sig := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if ts == "" || sig == "" {
		return ErrNoSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if !hmac.Equal([]byte(sig), []byte(Sign(secret, sec, body))) {
		return ErrBadSignature
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	return nil
}

// Webhooks posts signed webhooks.
type Webhooks struct {
	// Client sends the requests (nil: a client that follows no redirect,
	// so a delivery never reaches a host the administrator did not name).
	Client *http.Client
	// Timeout bounds one attempt (default DefaultHTTPTimeout).
	Timeout time.Duration
	// Now is the signing clock (nil: time.Now).
	Now func() time.Time
}

// Send posts d's envelope to ep, signed with ep's secret. Any 2xx answer
// is success; anything else (a redirect too) is an error to retry.
func (w *Webhooks) Send(ctx context.Context, ep Endpoint, d Delivery) error {
	if err := checkHTTPURL(ep.URL); err != nil {
		return Permanent(fmt.Errorf("endpoint %s: URL %q: %w", ep.Name, ep.URL, err))
	}
	env := Envelope{ID: d.ID, Type: d.Cause, CreatedAt: d.CreatedAt.UTC(), Data: d.Payload}
	if d.RootType != "" {
		env.Root = &Root{Type: d.RootType, ID: d.RootID}
	}
	body, err := json.Marshal(env)
	if err != nil {
		return Permanent(fmt.Errorf("webhook envelope: %w", err))
	}
	ctx, cancel := attempt(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("endpoint %s: %w", ep.Name, err))
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := now().Unix()
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "qingdan-webhook/1")
	req.Header.Set(HeaderDeliveryID, d.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(ep.Secret, ts, body))
	return roundTrip(w.Client, req, "endpoint "+ep.Name, nil)
}
