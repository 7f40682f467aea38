// Package notify is what qingdan tells people and systems, without the
// database: the message a feature puts in the outbox (email, SMS, webhook,
// in-app), its validation, the retry schedule, and the channels that send
// it — SMTP with STARTTLS and AUTH, an HTTP SMS gateway, signed webhooks
// (and Verify, for receivers). Storage and the deliverer are notifydb's;
// pages and API are notifyweb's (docs/INTERNALS.md, "Outbox and
// delivery").
//
// Delivery is at least once: a message can reach its receiver twice (a
// send that succeeded but whose answer was lost is sent again), always
// under the same Delivery.ID, which the receiver dedupes on (the webhook
// header Qingdan-Delivery-Id, the email's Message-ID).
package notify

import (
	"encoding/json"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Channel is how a message travels.
type Channel string

const (
	Email   Channel = "email"
	SMS     Channel = "sms"
	Webhook Channel = "webhook"
	InApp   Channel = "inapp"
)

// Channels lists every channel in a stable order (forms, counts).
var Channels = []Channel{Email, SMS, Webhook, InApp}

// ParseChannel returns the channel named s; "" and unknown names are not
// channels.
func ParseChannel(s string) (Channel, bool) {
	for _, c := range Channels {
		if string(c) == s {
			return c, true
		}
	}
	return "", false
}

// State is where a message is in its delivery: pending (never tried),
// sending (claimed by the deliverer), sent, failed (tried, another attempt
// is scheduled) and dead (given up; an administrator may retry it).
type State string

const (
	Pending State = "pending"
	Sending State = "sending"
	Sent    State = "sent"
	Failed  State = "failed"
	Dead    State = "dead"
)

// States lists every state in the order a message passes them.
var States = []State{Pending, Sending, Failed, Sent, Dead}

// ParseState returns the state named s.
func ParseState(s string) (State, bool) {
	for _, st := range States {
		if string(st) == s {
			return st, true
		}
	}
	return "", false
}

// Message is one thing to tell someone, as a feature enqueues it
// (notifydb.Enqueue) in the write that causes it. Build it with Mail,
// Text, Post or Inbox, then say what it concerns (BodyID, RootType and
// RootID, Cause) and, when the same cause could enqueue it again, a
// DedupKey.
type Message struct {
	Channel Channel
	// Recipient: an email address (Email), a mainland mobile number (SMS),
	// a webhook endpoint's name (Webhook), a staff id (InApp).
	Recipient string
	// Subject: the email's subject, the in-app message's title.
	Subject string
	// Body: the email's or SMS's text, the in-app message's text.
	Body string
	// Link: in-app, the path on this site the message leads to.
	Link string
	// Items: in-app, the items a digest groups (Digest).
	Items []Item
	// Payload: a webhook's data, JSON (posted inside the envelope, Post).
	Payload json.RawMessage
	// BodyID is the body the message is sent for: its administrators see
	// the message on the outbox page (O1).
	BodyID int64
	// RootType and RootID name the case or complaint the message concerns
	// (the root of the causing event), so a case shows its notices'
	// delivery. Both or neither.
	RootType, RootID string
	// Cause is the action of the event that caused the message
	// ("case.accepted"); a webhook's envelope carries it as its type.
	Cause string
	// DedupKey makes Enqueue idempotent: a message whose key is already in
	// the outbox is dropped. Empty: every Enqueue adds one.
	DedupKey string
}

// Item is one entry of an in-app digest.
type Item struct {
	Text string `json:"text"`
	Link string `json:"link,omitempty"`
}

// Mail is an email to address.
func Mail(address, subject, body string) Message {
	return Message{Channel: Email, Recipient: address, Subject: subject, Body: body}
}

// Text is an SMS to a mainland mobile number.
func Text(phone, text string) Message {
	return Message{Channel: SMS, Recipient: phone, Body: text}
}

// Post is a webhook to the endpoint named endpoint, carrying data (any
// value encoding/json renders as an object).
func Post(endpoint string, data any) (Message, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return Message{}, apperr.As(err)
	}
	return Message{Channel: Webhook, Recipient: endpoint, Payload: b}, nil
}

// Inbox is an in-app message to a staff member: a title, optionally a text
// and the link to act on it.
func Inbox(staffID int64, title, text, link string) Message {
	return Message{Channel: InApp, Recipient: strconv.FormatInt(staffID, 10), Subject: title, Body: text, Link: link}
}

// Limits of a message, in characters (runes) unless said otherwise.
const (
	MaxSubject   = 200
	MaxSMS       = 500      // a gateway splits a long text into up to 8 parts
	MaxText      = 32 << 10 // email and in-app text, bytes
	MaxPayload   = 256 << 10
	MaxItems     = 500
	MaxItemText  = 500
	MaxLink      = 1000
	MaxKey       = 200 // DedupKey, RootType, RootID, Cause, endpoint names
	maxEmailAddr = 254
)

// Validate checks m before it is stored, naming the field at fault, and
// returns m in its stored form (a mobile number normalised to its 11
// digits, an address without its display name, blanks trimmed).
func (m Message) Validate() (Message, error) {
	m.Recipient = strings.TrimSpace(m.Recipient)
	m.Subject = strings.TrimSpace(m.Subject)
	for _, f := range []struct{ name, v string }{{"recipient", m.Recipient}, {"subject", m.Subject}, {"body", m.Body},
		{"link", m.Link}, {"root_type", m.RootType}, {"root_id", m.RootID}, {"cause", m.Cause}, {"dedup_key", m.DedupKey}} {
		if !validText(f.v) {
			return m, invalid(f.name, "text.invalid")
		}
	}
	for _, f := range []struct{ name, v string }{{"root_type", m.RootType}, {"root_id", m.RootID}, {"cause", m.Cause}, {"dedup_key", m.DedupKey}} {
		if utf8.RuneCountInString(f.v) > MaxKey {
			return m, invalid(f.name, "text.too_long", MaxKey)
		}
	}
	if (m.RootType == "") != (m.RootID == "") {
		return m, invalid("root_id", "root.pair")
	}
	if m.BodyID <= 0 {
		return m, invalid("body_id", "body.required")
	}
	if hasControl(m.Subject) {
		return m, invalid("subject", "subject.control")
	}
	if utf8.RuneCountInString(m.Subject) > MaxSubject {
		return m, invalid("subject", "text.too_long", MaxSubject)
	}
	if m.Channel != InApp && (m.Link != "" || len(m.Items) > 0) {
		return m, invalid("link", "link.inapp_only")
	}
	if m.Channel != Webhook && len(m.Payload) > 0 {
		return m, invalid("payload", "payload.webhook_only")
	}
	switch m.Channel {
	case Email:
		return m.validEmail()
	case SMS:
		return m.validSMS()
	case Webhook:
		return m.validWebhook()
	case InApp:
		return m.validInApp()
	}
	return m, invalid("channel", "channel.unknown", string(m.Channel))
}

func (m Message) validEmail() (Message, error) {
	a, err := mail.ParseAddress(m.Recipient)
	if err != nil || len(a.Address) > maxEmailAddr || !strings.Contains(a.Address, "@") {
		return m, invalid("recipient", "recipient.email", m.Recipient)
	}
	m.Recipient = a.Address
	if m.Subject == "" {
		return m, invalid("subject", "subject.required")
	}
	if strings.TrimSpace(m.Body) == "" {
		return m, invalid("body", "body_text.required")
	}
	if len(m.Body) > MaxText {
		return m, invalid("body", "text.too_large", apperr.Size(MaxText))
	}
	return m, nil
}

func (m Message) validSMS() (Message, error) {
	phone, err := ParseMobile(m.Recipient)
	if err != nil {
		return m, err
	}
	m.Recipient = phone
	if m.Subject != "" {
		return m, invalid("subject", "subject.sms")
	}
	if strings.TrimSpace(m.Body) == "" {
		return m, invalid("body", "body_text.required")
	}
	if utf8.RuneCountInString(m.Body) > MaxSMS {
		return m, invalid("body", "text.too_long", MaxSMS)
	}
	return m, nil
}

func (m Message) validWebhook() (Message, error) {
	if err := CheckEndpointName("recipient", m.Recipient); err != nil {
		return m, err
	}
	if m.Subject != "" || m.Body != "" {
		return m, invalid("body", "body.webhook")
	}
	if len(m.Payload) == 0 {
		return m, invalid("payload", "payload.required")
	}
	if len(m.Payload) > MaxPayload {
		return m, invalid("payload", "text.too_large", apperr.Size(MaxPayload))
	}
	if !json.Valid(m.Payload) || !validText(string(m.Payload)) {
		return m, invalid("payload", "payload.json")
	}
	return m, nil
}

func (m Message) validInApp() (Message, error) {
	if id, err := strconv.ParseInt(m.Recipient, 10, 64); err != nil || id <= 0 || strconv.FormatInt(id, 10) != m.Recipient {
		return m, invalid("recipient", "recipient.staff", m.Recipient)
	}
	if m.Subject == "" {
		return m, invalid("subject", "subject.required")
	}
	if len(m.Body) > MaxText {
		return m, invalid("body", "text.too_large", apperr.Size(MaxText))
	}
	if err := checkLink("link", m.Link); err != nil {
		return m, err
	}
	if len(m.Items) > MaxItems {
		return m, invalid("items", "items.too_many", MaxItems)
	}
	for i, it := range m.Items {
		field := "items[" + strconv.Itoa(i) + "]"
		switch {
		case !validText(it.Text) || !validText(it.Link):
			return m, invalid(field, "text.invalid")
		case strings.TrimSpace(it.Text) == "":
			return m, invalid(field+".text", "body_text.required")
		case utf8.RuneCountInString(it.Text) > MaxItemText:
			return m, invalid(field+".text", "text.too_long", MaxItemText)
		}
		if err := checkLink(field+".link", it.Link); err != nil {
			return m, err
		}
	}
	return m, nil
}

// checkLink accepts an empty link or a path on this site: it starts with
// one "/" (not "//", which a browser reads as another host) and has no
// backslash (which some browsers read as "/").
func checkLink(field, link string) error {
	switch {
	case link == "":
		return nil
	case len(link) > MaxLink:
		return invalid(field, "text.too_long", MaxLink)
	case !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || strings.ContainsAny(link, "\\") || hasControl(link):
		return invalid(field, "link.local", link)
	}
	return nil
}

// validText is what both databases store as text: UTF-8 without NUL.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// hasControl reports a control character (a line break in a header would
// start another header).
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}
