package notify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/qingdan/qingdan/internal/notify"
)

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "qingdan test relay"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

// relay is an SMTP server on localhost (github.com/emersion/go-smtp, so
// the client is checked against an implementation other than its own),
// which takes mail only from a session authenticated with user/pass.
type relay struct {
	addr  string
	mechs []string // AUTH mechanisms offered

	mu       sync.Mutex
	received []received
	tlsSeen  []bool // whether each session's mail came over TLS
}

type received struct {
	from string
	to   []string
	data []byte
}

const (
	relayUser = "qingdan@example.gov.cn"
	relayPass = "s3cret-Relay"
)

// startRelay starts a relay. With cert set it offers STARTTLS (or, with
// implicit, speaks TLS from the first byte); AUTH is refused before TLS.
func startRelay(t *testing.T, cert *tls.Certificate, implicit bool, mechs ...string) *relay {
	t.Helper()
	r := &relay{mechs: mechs}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &relaySession{r: r, tls: isTLS, conn: c}, nil
	}))
	s.Domain = "relay.test"
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	s.ErrorLog = testLogger{t}
	if cert != nil {
		s.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	}
	var ln net.Listener
	var err error
	if implicit {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", s.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	go func() {
		if err := s.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("relay: %v", err)
		}
	}()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("relay: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"relay:"}, v...)...) }

func (r *relay) mails() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.received...)
}

type relaySession struct {
	r      *relay
	conn   *smtp.Conn
	tls    bool
	authed bool
	from   string
	to     []string
}

func (s *relaySession) AuthMechanisms() []string { return s.r.mechs }

func (s *relaySession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != relayUser || pass != relayPass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, errors.New("no such mechanism")
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.received = append(s.r.received, received{from: s.from, to: s.to, data: b})
	s.r.tlsSeen = append(s.r.tlsSeen, isTLS)
	return nil
}

func (s *relaySession) Reset()        { s.from, s.to = "", nil }
func (s *relaySession) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl lacks.
type loginServer struct {
	check      func(user, pass string) error
	user       string
	step       int
	gotUser    bool
	finishedOK bool
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // initial response: the user name
			l.user, l.gotUser = string(response), true
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		if !l.gotUser {
			l.user, l.gotUser = string(response), true
			return []byte("Password:"), false, nil
		}
		return nil, true, l.check(l.user, string(response))
	case 3:
		return nil, true, l.check(l.user, string(response))
	}
	return nil, true, errors.New("unexpected LOGIN step")
}

func delivery(id string, m notify.Message) notify.Delivery {
	return notify.Delivery{ID: id, Message: m, CreatedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

// A subject long enough to need several encoded words, a body of several
// lines with punctuation and a line that looks like the end of DATA.
const (
	chineseSubject = "受理通知书：您申请的“城乡居民最低生活保障待遇申请”已于2026年3月2日受理，承诺办结时限为10个工作日，请留意后续短信与邮件通知"
	chineseBody    = "尊敬的申请人：\n\n您的申请（编号 330199-2026-000123）已受理。\n.\n承诺办结日期：2026年3月16日。\n——青山街道便民服务中心"
)

// readMail parses a received message and decodes its subject and body.
func readMail(t *testing.T, data []byte) (*mail.Message, string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the relay got an unparsable message: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "base64" {
		t.Fatalf("Content-Transfer-Encoding %q", cte)
	}
	raw, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	return msg, subject, string(raw)
}

func TestMailer_startTLSAndAuthDeliverChineseIntact(t *testing.T) {
	cert, pool := selfSigned(t)
	for _, mech := range []string{sasl.Plain, sasl.Login} {
		t.Run(mech, func(t *testing.T) {
			r := startRelay(t, &cert, false, mech)
			host, port := splitAddr(t, r.addr)
			m := &notify.Mailer{Host: host, Port: port, Username: relayUser, Password: relayPass,
				From: "清单系统 <noreply@qingshan.gov.cn>", RootCAs: pool}
			if err := m.Check(); err != nil {
				t.Fatal(err)
			}
			err := m.Send(context.Background(), delivery("3f9a0c", notify.Mail("申请人 <zhang.san@example.com>", chineseSubject, chineseBody)))
			if err != nil {
				t.Fatal(err)
			}
			got := r.mails()
			if len(got) != 1 {
				t.Fatalf("the relay received %d messages, want 1", len(got))
			}
			if !r.tlsSeen[0] {
				t.Error("the message travelled without TLS")
			}
			if got[0].from != "noreply@qingshan.gov.cn" || len(got[0].to) != 1 || got[0].to[0] != "zhang.san@example.com" {
				t.Errorf("envelope from %q to %q", got[0].from, got[0].to)
			}
			for _, line := range strings.Split(string(got[0].data), "\r\n") {
				if len(line) > 78 {
					t.Errorf("line of %d characters (RFC 5322 asks for at most 78): %q", len(line), line)
				}
			}
			msg, subject, body := readMail(t, got[0].data)
			if subject != chineseSubject {
				t.Errorf("subject decoded as %q", subject)
			}
			if want := strings.ReplaceAll(chineseBody, "\n", "\r\n"); body != want {
				t.Errorf("body decoded as %q, want %q", body, want)
			}
			if id := msg.Header.Get("Message-ID"); id != "<3f9a0c@qingshan.gov.cn>" {
				t.Errorf("Message-ID %q, want the delivery's id", id)
			}
			from, err := msg.Header.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Name != "清单系统" {
				t.Errorf("From %v (%v)", from, err)
			}
			if ct := msg.Header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func TestMailer_implicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	r := startRelay(t, &cert, true, sasl.Plain)
	host, port := splitAddr(t, r.addr)
	m := &notify.Mailer{Host: host, Port: port, TLS: notify.ImplicitTLS, Username: relayUser, Password: relayPass,
		From: "noreply@qingshan.gov.cn", RootCAs: pool}
	if err := m.Send(context.Background(), delivery("a1", notify.Mail("li@example.com", "办结通知", "已办结。"))); err != nil {
		t.Fatal(err)
	}
	if n := len(r.mails()); n != 1 {
		t.Fatalf("%d messages received", n)
	}
}

// Without STARTTLS on offer nothing is sent — not the password, not the
// message — and the failure is permanent (no retry mends a server).
func TestMailer_refusesAServerWithoutStartTLS(t *testing.T) {
	r := startRelay(t, nil, false, sasl.Plain)
	host, port := splitAddr(t, r.addr)
	m := &notify.Mailer{Host: host, Port: port, Username: relayUser, Password: relayPass, From: "noreply@qingshan.gov.cn"}
	err := m.Send(context.Background(), delivery("b2", notify.Mail("li@example.com", "通知", "内容")))
	if err == nil || !notify.IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("got %v, want a permanent STARTTLS refusal", err)
	}
	if n := len(r.mails()); n != 0 {
		t.Fatalf("%d messages received without TLS", n)
	}
}

// A wrong password is the server's 535: permanent.
func TestMailer_wrongPasswordIsPermanent(t *testing.T) {
	cert, pool := selfSigned(t)
	r := startRelay(t, &cert, false, sasl.Plain)
	host, port := splitAddr(t, r.addr)
	m := &notify.Mailer{Host: host, Port: port, Username: relayUser, Password: "wrong", From: "noreply@qingshan.gov.cn", RootCAs: pool}
	err := m.Send(context.Background(), delivery("c3", notify.Mail("li@example.com", "通知", "内容")))
	if err == nil || !notify.IsPermanent(err) || !strings.Contains(err.Error(), "535") {
		t.Fatalf("got %v, want a permanent 535", err)
	}
}

// An unknown certificate fails the attempt (it may be retried once the
// operator configures the right CA), and nothing is sent.
func TestMailer_unknownCertificateFails(t *testing.T) {
	cert, _ := selfSigned(t)
	r := startRelay(t, &cert, false, sasl.Plain)
	host, port := splitAddr(t, r.addr)
	m := &notify.Mailer{Host: host, Port: port, Username: relayUser, Password: relayPass, From: "noreply@qingshan.gov.cn"}
	if err := m.Send(context.Background(), delivery("d4", notify.Mail("li@example.com", "通知", "内容"))); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("got %v, want a certificate error", err)
	}
	if n := len(r.mails()); n != 0 {
		t.Fatalf("%d messages received", n)
	}
}

func TestMailer_check(t *testing.T) {
	for _, tc := range []struct {
		m     notify.Mailer
		field string
	}{
		{notify.Mailer{Host: "mail.example.com", From: "not an address"}, "smtp_from"},
		{notify.Mailer{Host: "mail.example.com", From: "a@example.com", TLS: "ssl"}, "smtp_tls"},
		{notify.Mailer{Host: "mail.example.com", From: "a@example.com", TLS: notify.NoTLS, Username: "u"}, "smtp_tls"},
		{notify.Mailer{Host: "127.0.0.1", From: "a@example.com", TLS: notify.NoTLS, Username: "u"}, ""},
		{notify.Mailer{Host: "mail.example.com", From: "清单 <a@example.com>"}, ""},
	} {
		err := tc.m.Check()
		if got := fieldOf(err); got != tc.field {
			t.Errorf("%+v: error %v on field %q, want %q", tc.m, err, got, tc.field)
		}
	}
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	return host, p
}
