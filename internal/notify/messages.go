package notify

import (
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// words are the package's user-visible words in the catalogue
// (internal/msg: notify.words.<id>).
var words = msg.Catalogue("notify.words")

// invalid is an apperr.Invalid error on field with the words of message id.
func invalid(field, id string, args ...any) *apperr.Error {
	return refusal(apperr.Invalid, field, id, args...)
}

// refusal is an apperr error of code on field with the words of message id.
func refusal(code apperr.Code, field, id string, args ...any) *apperr.Error {
	if !words.Has(id) {
		panic("notify: no words for " + id) // a typo, found by the tests
	}
	return apperr.New(code, field, words.ID(id), args...)
}

// The refusals of the outbox, the inbox and the endpoints (notifydb).

// ErrNoMessage: no message with this id (or none the caller may see).
func ErrNoMessage(id int64) error { return refusal(apperr.NotFound, "", "message.none", id) }

// ErrNotDead: only a dead letter can be retried.
func ErrNotDead(id int64) error { return refusal(apperr.Conflict, "", "message.not_dead", id) }

// ErrNotInInbox: no such message in the caller's inbox.
func ErrNotInInbox(id int64) error { return refusal(apperr.NotFound, "", "message.not_yours", id) }

// ErrForeignMessage: the message's body is outside the caller's
// jurisdiction (O1).
func ErrForeignMessage(id int64) error { return refusal(apperr.Forbidden, "", "message.foreign", id) }

// ErrOutboxAdminOnly: the outbox is the administrators'.
func ErrOutboxAdminOnly() error { return refusal(apperr.Forbidden, "", "outbox.admin") }

// ErrFilter: a filter value that is no state or channel.
func ErrFilter(field, value string) error {
	return refusal(apperr.Invalid, field, "outbox.filter", value)
}

// ErrNoEndpoint: no endpoint with this id.
func ErrNoEndpoint(id int64) error { return refusal(apperr.NotFound, "", "endpoint.none", id) }

// ErrEndpointTaken: endpoint names are unique.
func ErrEndpointTaken(name string) error {
	return refusal(apperr.Conflict, "name", "endpoint.taken", name)
}

// ErrEndpointsRootOnly: endpoints (and their secrets) are the root body's
// administrator's.
func ErrEndpointsRootOnly() error { return refusal(apperr.Forbidden, "", "endpoint.root") }

// ErrNoStaff: an account without a staff record has no inbox.
func ErrNoStaff() error { return refusal(apperr.Forbidden, "", "staff.only") }
