package notifyweb

import (
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/page"
)

// messages are the pages' words in the catalogue (internal/msg:
// notifyweb.<key>).
var messages = page.Messages("notifyweb")

// errNotNumber refuses a query parameter that is no whole number ≥ 0.
func errNotNumber(name string) error {
	return apperr.Invalidf(name, messages.ID("notify.not_a_number"), name)
}

// Badge is the inbox's entry in the site header, in lang: its text and the
// words a screen reader says for it with the unread count (the binary
// wires it into web.Deps.Badges).
func Badge(lang string, unread int) (text, label string) {
	text = messages.Text(lang, "badge.inbox")
	if unread == 0 {
		return text, text
	}
	return text, messages.Text(lang, "badge.inbox_unread", unread)
}
