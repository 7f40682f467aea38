// Package caseworkdb keeps cases (办件, issue #14): each case is one row of
// an audited aggregate (store.Declare), its timeline the events rooted at
// it, its clock a caldb clock, and every transition of casework's pure core
// is carried out in ONE write — the version-checked row, the event, the
// clock events, the outbox messages (notifydb.Enqueue). The exported
// methods of Service own their transaction and check jurisdiction (O1).
//
// Layout (migration 0600): cases (number, query-code hash, bodies, item,
// flow, status, step, owner, unit, due date, the case as JSON), case_flows
// (the flow versions cases run on, H1), case_numbers (V3 sequences),
// case_submissions (idempotency of online submissions).
package caseworkdb

import (
	"context"
	"encoding/json"
	"io"
	"sync"
	"time"

	"crypto/rand"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
)

// ObjectCase is the object and root type of a case's events.
const ObjectCase = "case"

// caseRow is a row of cases; its State is the row with the case as JSON.
type caseRow struct {
	ID, Version  int64
	Number       string
	QueryHash    string
	BodyID       int64
	BodyPath     string
	QueuePath    string
	ItemCode     string
	FlowID       int64
	Status       string
	Step         string
	OwnerID      int64
	Unit         string
	DueOn        string
	RegisteredAt int64
	UpdatedAt    int64
	Data         string
}

type caseState struct {
	ID           int64           `json:"id"`
	Version      int64           `json:"version"`
	Number       string          `json:"number"`
	QueryHash    string          `json:"query_hash"`
	BodyID       int64           `json:"body_id"`
	BodyPath     string          `json:"body_path"`
	QueuePath    string          `json:"queue_path"`
	ItemCode     string          `json:"item_code"`
	FlowID       int64           `json:"flow_id"`
	Status       string          `json:"status"`
	Step         string          `json:"step"`
	OwnerID      int64           `json:"owner_id"`
	Unit         string          `json:"unit"`
	DueOn        string          `json:"due_on"`
	RegisteredAt int64           `json:"registered_at"`
	UpdatedAt    int64           `json:"updated_at"`
	Data         json.RawMessage `json:"data"`
}

var caseCols = []string{"number", "query_hash", "body_id", "body_path", "queue_path", "item_code", "flow_id", "status", "step",
	"owner_id", "unit", "due_on", "registered_at", "updated_at", "data"}

var cases = store.Declare(store.Aggregate[caseRow]{
	Table: "cases", ObjectType: ObjectCase, Columns: caseCols,
	Fields: func(r *caseRow) []any {
		return []any{&r.ID, &r.Version, &r.Number, &r.QueryHash, &r.BodyID, &r.BodyPath, &r.QueuePath, &r.ItemCode, &r.FlowID,
			&r.Status, &r.Step, &r.OwnerID, &r.Unit, &r.DueOn, &r.RegisteredAt, &r.UpdatedAt, &r.Data}
	},
	State: func(r *caseRow) any {
		return caseState{ID: r.ID, Version: r.Version, Number: r.Number, QueryHash: r.QueryHash, BodyID: r.BodyID,
			BodyPath: r.BodyPath, QueuePath: r.QueuePath, ItemCode: r.ItemCode, FlowID: r.FlowID, Status: r.Status,
			Step: r.Step, OwnerID: r.OwnerID, Unit: r.Unit, DueOn: r.DueOn, RegisteredAt: r.RegisteredAt,
			UpdatedAt: r.UpdatedAt, Data: json.RawMessage(r.Data)}
	},
})

const caseSelect = `SELECT id, version, number, query_hash, body_id, body_path, queue_path, item_code, flow_id, status, step,
	owner_id, unit, due_on, registered_at, updated_at, data FROM cases`

// Listing is what the list says about an item for a case (C4): the item as
// its version in force stood, its standing at the instant asked, and the
// flow its cases run on ("" for the shipped flow of its kind).
type Listing struct {
	Item     casework.Item
	Standing casework.Standing
	Flow     string
}

// Catalogue finds an item on a body's list at an instant. CatalogItems is
// the list as catdb keeps it (catdb.Standing at the instant of
// registration); the simulator's scenarios may declare their own.
type Catalogue interface {
	// Listing is the item with code on body's list at instant at. An item
	// that was never on it is Unlisted with a zero Item, not an error.
	Listing(ctx context.Context, body casework.Body, code string, at time.Time) (Listing, error)
}

// Service keeps cases. It is safe for concurrent use.
type Service struct {
	db     *store.DB
	cals   *caldb.Service
	clocks *caldb.Clocks
	items  Catalogue
	opts   flow.Options
	rules  casework.Rules
	now    func() time.Time
	random io.Reader
	// endpoint is the webhook endpoint of the supervising units (H9).
	endpoint string
	docs     DocumentIssuer

	mu      sync.Mutex
	flowsBy map[int64]*flow.Flow // by case_flows id
	units   map[int64]casework.Unit
}

// Options configure a Service; the zero value is the national defaults.
type Options struct {
	// Rules: casework.DefaultRules when zero.
	Rules casework.Rules
	// Now is the service's clock (the simulator's is simulated); time.Now
	// when nil.
	Now func() time.Time
	// Random draws query codes; crypto/rand when nil.
	Random io.Reader
	// SupervisionEndpoint is the name of the webhook endpoint completed
	// cases are pushed to (H9); "supervision" when empty.
	SupervisionEndpoint string
	// Documents issues the documents a transition asks for in its write
	// (H4); none are stored when nil.
	Documents DocumentIssuer
}

// DocumentIssuer issues the documents of a transition inside its write:
// an error (a sealed kind without the body's seal, H8) refuses the whole
// transition. login is who acts, as the case's events name them.
type DocumentIssuer interface {
	Issue(ctx context.Context, tx *store.Tx, c casework.Case, docs []casework.Document, actor casework.Actor, login string) error
	// Prepare reads before the write what does not change within it (the
	// templates, the seal) and returns what issues the documents in the
	// write; that refuses the write with a Conflict on field "document"
	// (fieldDocument) if what it read changed meanwhile.
	Prepare(ctx context.Context, c casework.Case, docs []casework.Document, actor casework.Actor, login string) (func(context.Context, *store.Tx) error, error)
}

// fieldDocument is the field of the Conflict a prepared issue returns when
// a template or seal it read changed before the write (documentdb's
// FieldDocument): the action is worked out again.
const fieldDocument = "document"

// New returns the service over db, counting time on cals' calendars and
// finding items in items.
func New(db *store.DB, cals *caldb.Service, items Catalogue, o Options) *Service {
	s := &Service{db: db, cals: cals, clocks: caldb.NewClocks(db, cals), items: items, opts: FlowOptions(),
		rules: o.Rules, now: o.Now, random: o.Random, endpoint: o.SupervisionEndpoint, docs: o.Documents,
		flowsBy: map[int64]*flow.Flow{}, units: map[int64]casework.Unit{}}
	if s.rules == (casework.Rules{}) {
		s.rules = casework.DefaultRules()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.random == nil {
		s.random = rand.Reader
	}
	if s.endpoint == "" {
		s.endpoint = "supervision"
	}
	// The clocks' next checks are worked out at the service's instant, so a
	// simulated or test clock sweeps as the real one does.
	s.clocks.SetNow(s.now)
	return s
}

// FlowOptions are what flows are checked against: the staff roles (auth's)
// and the supervision checks (catalog's).
func FlowOptions() flow.Options {
	var o flow.Options
	for _, r := range access.AllRoles {
		o.Roles = append(o.Roles, string(r))
	}
	for _, c := range []catalog.CheckKind{catalog.CheckTimeLimit, catalog.CheckFee, catalog.CheckQualification,
		catalog.CheckTwoInvestigators, catalog.CheckRecusal, catalog.CheckFlowOrder, catalog.CheckDiscretion,
		catalog.CheckSupplementRepeats, catalog.CheckLateEntry, catalog.CheckDocuments} {
		o.Checks = append(o.Checks, string(c))
	}
	return o
}

// DB is the database the service writes to.
func (s *Service) DB() *store.DB { return s.db }

// Rules are the rules cases are judged by.
func (s *Service) Rules() casework.Rules { return s.rules }

// Calendar is the calendar of the case's body.
func (s *Service) Calendar(ctx context.Context, bodyID int64) (*calendar.Calendar, error) {
	return s.cals.Calendar(ctx, bodyID)
}
