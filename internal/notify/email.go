package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// SMTP encryption modes (Mailer.TLS).
const (
	// StartTLS: plain connection, then STARTTLS before anything else; a
	// server that does not offer it is refused. The default.
	StartTLS = "starttls"
	// ImplicitTLS: TLS from the first byte (SMTPS, port 465).
	ImplicitTLS = "tls"
	// NoTLS: plain text throughout, for a relay on this machine; no
	// password is sent unless the relay is on the loopback.
	NoTLS = "none"
)

// Mailer sends email through an SMTP server (a relay or a mail provider),
// with STARTTLS by default and AUTH PLAIN or LOGIN when Username is set.
// Subjects and display names are RFC 2047 encoded words and the text is
// UTF-8 in base64, so Chinese arrives intact whatever the relays on the way.
type Mailer struct {
	Host string
	Port int // default 587 (465 with ImplicitTLS, 25 with NoTLS)
	// Username and Password authenticate (AUTH PLAIN, else LOGIN).
	Username, Password string
	// From is the sender, optionally with a display name:
	// "清单系统 <noreply@example.gov.cn>".
	From string
	// TLS is StartTLS (""), ImplicitTLS or NoTLS.
	TLS string
	// RootCAs verify the server's certificate (nil: the system's).
	RootCAs *x509.CertPool
	// HelloName is this host's name in EHLO (default "localhost").
	HelloName string
	// Timeout bounds one attempt (default 30 s).
	Timeout time.Duration
	// Now dates the messages (nil: time.Now).
	Now func() time.Time
}

// DefaultSMTPTimeout bounds one email attempt.
const DefaultSMTPTimeout = 30 * time.Second

// Check refuses a configuration that cannot work.
func (m *Mailer) Check() error {
	switch m.TLS {
	case "", StartTLS, ImplicitTLS, NoTLS:
	default:
		return invalid("smtp_tls", "smtp.tls", m.TLS)
	}
	if _, err := m.from(); err != nil {
		return err
	}
	if m.TLS == NoTLS && m.Username != "" && !isLoopback(m.Host) {
		return invalid("smtp_tls", "smtp.auth_plain")
	}
	return nil
}

func (m *Mailer) from() (*mail.Address, error) {
	a, err := mail.ParseAddress(m.From)
	if err != nil || !strings.Contains(a.Address, "@") {
		return nil, invalid("smtp_from", "smtp.from", m.From)
	}
	return a, nil
}

func (m *Mailer) addr() string {
	port := m.Port
	if port == 0 {
		switch m.TLS {
		case ImplicitTLS:
			port = 465
		case NoTLS:
			port = 25
		default:
			port = 587
		}
	}
	return net.JoinHostPort(m.Host, strconv.Itoa(port))
}

func (m *Mailer) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: m.Host, RootCAs: m.RootCAs, MinVersion: tls.VersionTLS12}
}

// Send delivers d to its recipient. A 5xx answer of the server is a
// permanent failure (the server will not take this message); everything
// else is worth another attempt.
func (m *Mailer) Send(ctx context.Context, d Delivery) error {
	from, err := m.from()
	if err != nil {
		return Permanent(err)
	}
	to, err := mail.ParseAddress(d.Recipient)
	if err != nil {
		return Permanent(fmt.Errorf("recipient %q: %w", d.Recipient, err))
	}
	d.Recipient = to.Address
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	msg := composeEmail(from, d, now())
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = DefaultSMTPTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := m.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	steps := []struct {
		what string
		do   func() error
	}{
		{"MAIL FROM", func() error { return c.Mail(from.Address) }},
		{"RCPT TO", func() error { return c.Rcpt(d.Recipient) }},
		{"DATA", func() error {
			w, err := c.Data()
			if err != nil {
				return err
			}
			if _, err := w.Write(msg); err != nil {
				return errors.Join(err, w.Close())
			}
			return w.Close()
		}},
		{"QUIT", c.Quit},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return smtpError(s.what, err)
		}
	}
	return nil
}

// dial connects, says EHLO, secures the connection and authenticates. The
// connection's deadline is ctx's, and ctx ending cuts it at once.
func (m *Mailer) dial(ctx context.Context) (*smtp.Client, error) {
	addr := m.addr()
	var conn net.Conn
	var err error
	if m.TLS == ImplicitTLS {
		conn, err = (&tls.Dialer{Config: m.tlsConfig()}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("SMTP %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return nil, errors.Join(fmt.Errorf("SMTP %s: %w", addr, err), conn.Close())
		}
	}
	context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) }) // unblocks a read in flight; the error that follows is reported
	c, err := smtp.NewClient(conn, m.Host)
	if err != nil {
		return nil, errors.Join(smtpError("greeting", err), conn.Close())
	}
	hello := m.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return nil, errors.Join(smtpError("EHLO", err), c.Close())
	}
	if m.TLS == "" || m.TLS == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return nil, errors.Join(Permanent(fmt.Errorf("SMTP %s does not offer STARTTLS (set the encryption to none only for a relay on this machine)", addr)), c.Close())
		}
		if err := c.StartTLS(m.tlsConfig()); err != nil {
			return nil, errors.Join(smtpError("STARTTLS", err), c.Close())
		}
	}
	if m.Username != "" {
		a, err := m.auth(c)
		if err == nil {
			err = c.Auth(a)
		}
		if err != nil {
			return nil, errors.Join(smtpError("AUTH", err), c.Close())
		}
	}
	return c, nil
}

// auth picks PLAIN, or LOGIN when the server offers only that.
func (m *Mailer) auth(c *smtp.Client) (smtp.Auth, error) {
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return nil, Permanent(errors.New("the server offers no AUTH, but a username is configured"))
	}
	offered := strings.Fields(strings.ToUpper(mechs))
	for _, mech := range offered {
		if mech == "PLAIN" {
			return smtp.PlainAuth("", m.Username, m.Password, m.Host), nil
		}
	}
	for _, mech := range offered {
		if mech == "LOGIN" {
			return &loginAuth{user: m.Username, pass: m.Password, host: m.Host}, nil
		}
	}
	return nil, Permanent(fmt.Errorf("the server offers AUTH %s, not PLAIN or LOGIN", mechs))
}

// smtpError names the step; a 5xx reply is permanent.
func smtpError(step string, err error) error {
	err = fmt.Errorf("SMTP %s: %w", step, err)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(err)
	}
	return err
}

// loginAuth is AUTH LOGIN (servers that lack PLAIN, some of them common
// in China), with PlainAuth's care: no password over an unencrypted
// connection except to the loopback.
type loginAuth struct{ user, pass, host string }

func (a *loginAuth) Start(s *smtp.ServerInfo) (string, []byte, error) {
	if !s.TLS && !isLoopback(s.Name) {
		return "", nil, errors.New("unencrypted connection")
	}
	if s.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(challenge []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch c := strings.ToLower(strings.TrimSpace(string(challenge))); {
	case strings.HasPrefix(c, "user"):
		return []byte(a.user), nil
	case strings.HasPrefix(c, "pass"):
		return []byte(a.pass), nil
	default:
		return nil, fmt.Errorf("unexpected AUTH LOGIN challenge %q", challenge)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// composeEmail renders d as an RFC 5322 message: UTF-8 text in base64,
// the subject and names as RFC 2047 encoded words, and a Message-ID made
// of the delivery's id, the same on every attempt.
func composeEmail(from *mail.Address, d Delivery, date time.Time) []byte {
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", encodeAddress(from))
	header("To", (&mail.Address{Address: d.Recipient}).String())
	header("Subject", encodeHeader(d.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+d.ID+"@"+domainOf(from.Address)+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	// Text travels in canonical form: CRLF line breaks (RFC 2045 §6.8).
	text := strings.ReplaceAll(strings.ReplaceAll(d.Body, "\r\n", "\n"), "\n", "\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// encodeHeader leaves printable ASCII as it is and writes anything else as
// UTF-8 encoded words, each on a folded line of its own, so no line is
// longer than 76 characters (RFC 2047 §2, RFC 5322 §2.1.1).
func encodeHeader(s string) string {
	if isPlain(s) {
		return s
	}
	return "\r\n " + strings.ReplaceAll(mime.BEncoding.Encode("UTF-8", s), "?= =?", "?=\r\n =?")
}

// encodeAddress writes a display name in encoded words and the address on
// a line of its own.
func encodeAddress(a *mail.Address) string {
	if isPlain(a.Name) {
		return a.String()
	}
	return encodeHeader(a.Name) + "\r\n <" + a.Address + ">"
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

func domainOf(address string) string {
	return address[strings.LastIndexByte(address, '@')+1:]
}
