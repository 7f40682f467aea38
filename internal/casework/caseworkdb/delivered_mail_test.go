package caseworkdb_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// mailbox is an SMTP server on a local listener (plain text: a relay on
// this machine) that keeps what it received, addressed to whom.
type mailbox struct {
	mu   sync.Mutex
	mail []string
}

type mailSession struct {
	b  *mailbox
	to string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.mail = append(s.b.mail, "To: "+s.to+"\n"+string(b))
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func (b *mailbox) received() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.mail...)
}

func startMailbox(t *testing.T) (*mailbox, string, int) {
	t.Helper()
	b := &mailbox{}
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{b: b}, nil }))
	s.Domain = "relay.test"
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if err := s.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("smtp: %v", err)
		}
	}()
	t.Cleanup(func() { _ = s.Close() })
	host, port, err := net.SplitHostPort(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	return b, host, p
}

// H7 by email: an applicant who gave an email address and no phone gets
// the completion notice by SMTP (a real server on a local listener); the
// case records them notified when the mail was delivered, the next
// working day, in time.
func TestDelivered_H7_emailNoticeDeliveredNextWorkingDayIsInTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		d0, d1, _ := days(t, f)
		f.setTime(on(d0, 8, 0))
		applicant := casework.Applicant{Kind: casework.Person, Name: "李四", ResidentID: lisi.ResidentID, Email: "lisi@example.cn"}
		if _, err := f.svc.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: casework.Applicant{
			Kind: casework.Person, Name: "王五", ResidentID: lisi.ResidentID, Email: "not an address"}, Materials: []string{"申请书"}}, ""); !isField(err, "applicant.email") {
			t.Fatalf("a bad address: %v", err)
		}
		o, err := f.svc.Open(ctx, f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: applicant, Materials: []string{"申请书", "场地使用证明"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		n := o.Case.Number
		for i, s := range []struct {
			who string
			a   casework.Action
		}{
			{"window1", casework.Action{ID: "accept"}},
			{"window1", casework.Action{ID: "hand_over"}},
			{"unit1", casework.Action{ID: "receive"}},
			{"unit1", casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予"}},
			{"unit1", casework.Action{ID: "hand_back"}},
			{"window1", casework.Action{ID: "complete", Certificate: "青广许〔2026〕10号"}},
		} {
			f.setTime(on(d0, 8, 10*(i+1)))
			f.act(t, s.who, n, s.a)
		}
		box, host, port := startMailbox(t)
		mailer := &notify.Mailer{Host: host, Port: port, TLS: notify.NoTLS, From: "noreply@qingshan.gov.cn"}
		if err := mailer.Check(); err != nil {
			t.Fatal(err)
		}
		delivered := on(d1, 8, 45)
		f.setTime(delivered)
		d, err := notifydb.NewDeliverer(db, notifydb.Config{Channels: notifydb.Channels{Email: mailer}, Now: f.now, Poll: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		run, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Go(func() { _ = d.Run(run) })
		wg.Go(func() {
			c := f.svc.DeliveredConsumerSpec()
			c.Poll = 20 * time.Millisecond
			_ = db.Consume(run, c)
		})
		t.Cleanup(func() { cancel(); wg.Wait() })
		until(t, "the case notified", func() bool { return !f.caseNow(t, n).NotifiedAt.IsZero() })
		c := f.caseNow(t, n)
		if !c.NotifiedAt.Equal(delivered) || c.Flagged("H7") {
			t.Fatalf("notified %v (delivered %v), flags %v", c.NotifiedAt, delivered, c.FlagRules())
		}
		done := 0
		for _, m := range box.received() {
			if strings.HasPrefix(m, "To: lisi@example.cn") && strings.Contains(mailText(t, m), n) && strings.Contains(mailText(t, m), "已办结") {
				done++
			}
		}
		if done != 1 {
			t.Fatalf("%d completion mails to the applicant: %q", done, box.received())
		}
		if e := notice(t, db, n); e.Channel != notify.Email || e.State != notify.Sent {
			t.Fatalf("notice %+v", e)
		}
		verify(t, db)
	})
}

func isField(err error, field string) bool {
	e, ok := errors.AsType[*apperr.Error](err)
	return ok && e.Field == field
}

// mailText is a received mail's body, decoded.
func mailText(t *testing.T, raw string) string {
	t.Helper()
	_, rest, _ := strings.Cut(raw, "\n")
	m, err := mail.ReadMessage(strings.NewReader(rest))
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, m.Body)
	case "quoted-printable":
		r = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
