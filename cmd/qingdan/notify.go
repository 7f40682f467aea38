package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/notify/notifyweb"
	"github.com/qingdan/qingdan/internal/web"
)

// notifyConfig is how `qingdan serve` sends what the outbox holds (docs/
// SECURITY.md, "What an operator must do"): an SMTP server for email, an
// HTTP gateway for SMS, the webhooks' timeout and the deliverer's retry
// schedule. A channel without its settings is off: its messages go to the
// dead letters at once, for an administrator to retry once it is set.
// Passwords and API keys belong in the QINGDAN_* environment, not on the
// command line.
type notifyConfig struct {
	smtpHost, smtpUser, smtpPassword, smtpFrom, smtpTLS, smtpCAFile, smtpHello string
	smtpPort                                                                   int

	smsURL, smsMethod, smsTemplate, smsOK string
	smsHeaders                            headerLines

	timeout    time.Duration
	attempts   int
	backoff    time.Duration
	backoffMax time.Duration
	inFlight   int
	poll       time.Duration
}

func notifyFlags(fs *flag.FlagSet) *notifyConfig {
	c := &notifyConfig{}
	fs.StringVar(&c.smtpHost, "smtp-host", "", t("qingdan.flag.smtp_host"))
	fs.IntVar(&c.smtpPort, "smtp-port", 0, t("qingdan.flag.smtp_port"))
	fs.StringVar(&c.smtpUser, "smtp-user", "", t("qingdan.flag.smtp_user"))
	fs.StringVar(&c.smtpPassword, "smtp-password", "", t("qingdan.flag.smtp_password"))
	fs.StringVar(&c.smtpFrom, "smtp-from", "", t("qingdan.flag.smtp_from"))
	fs.StringVar(&c.smtpTLS, "smtp-tls", notify.StartTLS, t("qingdan.flag.smtp_tls"))
	fs.StringVar(&c.smtpCAFile, "smtp-ca-file", "", t("qingdan.flag.smtp_ca_file"))
	fs.StringVar(&c.smtpHello, "smtp-hello", "", t("qingdan.flag.smtp_hello"))
	fs.StringVar(&c.smsURL, "sms-url", "", t("qingdan.flag.sms_url"))
	fs.StringVar(&c.smsMethod, "sms-method", http.MethodPost, t("qingdan.flag.sms_method"))
	fs.Var(&c.smsHeaders, "sms-header", t("qingdan.flag.sms_header"))
	fs.StringVar(&c.smsTemplate, "sms-template", notify.DefaultSMSTemplate, t("qingdan.flag.sms_template"))
	fs.StringVar(&c.smsOK, "sms-ok", "", t("qingdan.flag.sms_ok"))
	fs.DurationVar(&c.timeout, "notify-timeout", 10*time.Second, t("qingdan.flag.notify_timeout"))
	fs.IntVar(&c.attempts, "notify-max-attempts", notify.DefaultRetry.MaxAttempts, t("qingdan.flag.notify_max_attempts"))
	fs.DurationVar(&c.backoff, "notify-backoff", notify.DefaultRetry.Base, t("qingdan.flag.notify_backoff"))
	fs.DurationVar(&c.backoffMax, "notify-backoff-max", notify.DefaultRetry.Max, t("qingdan.flag.notify_backoff_max"))
	fs.IntVar(&c.inFlight, "notify-in-flight", 8, t("qingdan.flag.notify_in_flight"))
	fs.DurationVar(&c.poll, "notify-poll", 5*time.Second, t("qingdan.flag.notify_poll"))
	return c
}

// headerLines is a repeatable flag of "Name: value" lines; one value may
// hold several, one per line (an environment variable).
type headerLines []string

func (h *headerLines) String() string { return strings.Join(*h, "\n") }

func (h *headerLines) Set(v string) error {
	for _, line := range strings.Split(v, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if _, _, err := notify.ParseSMSHeader(line); err != nil {
			return err
		}
		*h = append(*h, line)
	}
	return nil
}

// check refuses settings that cannot work, naming the flag.
func (c *notifyConfig) check() error {
	if _, err := c.channels(); err != nil {
		return err
	}
	if _, err := c.retry(); err != nil {
		return err
	}
	switch {
	case c.timeout <= 0 || c.poll <= 0:
		return usageError{t("qingdan.notify_timeout_and_notify_poll_must")}
	case c.inFlight < 1:
		return usageError{t("qingdan.notify_in_flight_must_be_at")}
	}
	return nil
}

// notifyFlagOf names the flag behind the field of a notify configuration
// error; the others are their field with dashes (smtp_from: --smtp-from).
var notifyFlagOf = map[string]string{"backoff": "notify-backoff", "max_attempts": "notify-max-attempts"}

// flagError turns a notify configuration error into a usage error naming
// the flag.
func flagError(err error) error {
	e := apperr.As(err)
	if e.Code != apperr.Invalid {
		return err
	}
	name, ok := notifyFlagOf[e.Field]
	if !ok {
		name = strings.ReplaceAll(e.Field, "_", "-")
	}
	return usageError{fmt.Sprintf("--%s：%s / --%s: %s", name, e.Message("zh"), name, e.Message("en"))}
}

func (c *notifyConfig) retry() (notify.Retry, error) {
	r := notify.Retry{Base: c.backoff, Max: c.backoffMax, MaxAttempts: c.attempts}
	if err := r.Check(); err != nil {
		return r, flagError(err)
	}
	return r, nil
}

// channels builds the configured channels.
func (c *notifyConfig) channels() (notifydb.Channels, error) {
	ch := notifydb.Channels{Webhooks: &notify.Webhooks{Timeout: c.timeout}}
	if c.smtpHost != "" {
		m := &notify.Mailer{Host: c.smtpHost, Port: c.smtpPort, Username: c.smtpUser, Password: c.smtpPassword,
			From: c.smtpFrom, TLS: c.smtpTLS, HelloName: c.smtpHello, Timeout: 3 * c.timeout}
		if c.smtpCAFile != "" {
			pem, err := os.ReadFile(c.smtpCAFile)
			if err != nil {
				return ch, usageError{t("qingdan.cannot_read_smtp_ca_file", err)}
			}
			m.RootCAs = x509.NewCertPool()
			if !m.RootCAs.AppendCertsFromPEM(pem) {
				return ch, usageError{t("qingdan.smtp_ca_file_holds_no_pem_certificate", c.smtpCAFile)}
			}
		}
		if err := m.Check(); err != nil {
			return ch, flagError(err)
		}
		ch.Email = m
	}
	if c.smsURL != "" {
		body, err := notify.ParseSMSTemplate(c.smsTemplate)
		if err != nil {
			return ch, flagError(err)
		}
		g := &notify.SMSGateway{URL: c.smsURL, Method: c.smsMethod, Header: http.Header{}, Body: body, Timeout: c.timeout}
		for _, line := range c.smsHeaders {
			k, v, err := notify.ParseSMSHeader(line)
			if err != nil {
				return ch, flagError(err)
			}
			g.Header.Add(k, v)
		}
		if g.OKField, g.OKValue, err = notify.ParseSMSCheck(c.smsOK); err != nil {
			return ch, flagError(err)
		}
		if err := g.Check(); err != nil {
			return ch, flagError(err)
		}
		ch.SMS = g
	}
	return ch, nil
}

// deliverer builds the outbox's deliverer.
func (c *notifyConfig) deliverer(a *app, logger *slog.Logger) (*notifydb.Deliverer, error) {
	ch, err := c.channels()
	if err != nil {
		return nil, err
	}
	r, err := c.retry()
	if err != nil {
		return nil, err
	}
	logger.Info("outbox channels", "email", ch.Email != nil, "sms", ch.SMS != nil, "webhook_timeout", c.timeout,
		"max_attempts", r.MaxAttempts, "backoff", r.Base, "backoff_max", r.Max)
	return notifydb.NewDeliverer(a.db, notifydb.Config{Channels: ch, Retry: r, InFlight: c.inFlight, Poll: c.poll, Logger: logger})
}

// deliver runs the deliverer until ctx ends: one instance at a time
// delivers (its lease), the others stand by.
func (a *app) deliver(ctx context.Context) {
	if err := a.deliverer.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("outbox deliverer stopped", "err", err)
	}
}

// inboxBadge shows staff the inbox and its unread count in the header. A
// failure to count only costs the count.
func inboxBadge(notes *notifydb.Service, logger *slog.Logger) web.Badges {
	return func(ctx context.Context, p access.Principal, lang string) []web.Badge {
		if p.StaffID <= 0 {
			return nil
		}
		n, err := notes.Unread(ctx, p)
		if err != nil {
			logger.Error("inbox badge", "err", err)
		}
		text, label := notifyweb.Badge(lang, n)
		return []web.Badge{{Text: text, Label: label, Link: "/inbox", Count: n}}
	}
}
