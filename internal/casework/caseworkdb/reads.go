package caseworkdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/store"
)

// Detail is one case as staff see it: the case, where its limits stand now
// (L10) and the flow version it runs on.
type Detail struct {
	Case      casework.Case      `json:"case"`
	Deadlines casework.Deadlines `json:"deadlines"`
	Flow      casework.FlowRef   `json:"flow"`
	// Offered are the actions the flow offers at the case's step to the
	// reader's roles (the buttons to show).
	Offered []string `json:"offered"`
}

// Get is the case with this number, for staff whose jurisdiction covers
// its body or the body whose queue holds it (O1).
func (s *Service) Get(ctx context.Context, p access.Principal, number string) (Detail, error) {
	r, f, err := s.readable(ctx, p, number)
	if err != nil {
		return Detail{}, err
	}
	c, err := caseOf(r)
	if err != nil {
		return Detail{}, err
	}
	cal, err := s.cals.Calendar(ctx, r.BodyID)
	if err != nil {
		return Detail{}, err
	}
	d, err := c.Deadlines(cal, s.now())
	if err != nil {
		return Detail{}, err
	}
	out := Detail{Case: staffView(c), Deadlines: d, Flow: c.Flow, Offered: []string{}}
	var roles []string
	for _, r := range p.Roles {
		roles = append(roles, string(r))
	}
	for _, a := range f.Offered(c.Step, roles) {
		out.Offered = append(out.Offered, a.ID)
	}
	return out, nil
}

// readable reads a case p may see, with its flow.
func (s *Service) readable(ctx context.Context, p access.Principal, number string) (caseRow, *flow.Flow, error) {
	if p.Anonymous() {
		return caseRow{}, nil, errStaffOnly()
	}
	r, err := s.row(ctx, s.db, number)
	if err != nil {
		return r, nil, err
	}
	if !p.Covers(r.BodyPath) && !p.Covers(r.QueuePath) {
		return r, nil, errNotYours(number)
	}
	f, err := s.flowByID(ctx, s.db, r.FlowID)
	return r, f, err
}

// Timeline is the case's events in order (痕迹化): one indexed read of the
// events rooted at it.
func (s *Service) Timeline(ctx context.Context, p access.Principal, number string) ([]casework.Event, error) {
	r, _, err := s.readable(ctx, p, number)
	if err != nil {
		return nil, err
	}
	return timeline(ctx, s.db, r.Number)
}

// maxEvents bounds one case's timeline as read (a case has tens of events;
// a few hundred with long special procedures).
const maxEvents = 10000

func timeline(ctx context.Context, q store.Querier, number string) ([]casework.Event, error) {
	evs, err := store.QueryEvents(ctx, q, store.EventFilter{RootType: ObjectCase, RootID: number, Limit: maxEvents})
	if err != nil {
		return nil, err
	}
	out := make([]casework.Event, 0, len(evs))
	for _, e := range evs {
		if e.ObjectType != ObjectCase {
			continue // the clock's and the outbox's events of the case
		}
		var ev casework.Event
		if err := json.Unmarshal(e.Payload, &ev); err != nil {
			return nil, fmt.Errorf("caseworkdb: case %s: event %d: %w", number, e.Seq, err)
		}
		out = append(out, ev)
	}
	return out, nil
}

// Record is the case's exchange record (#14 item 5), rebuilt from the case
// and its timeline.
func (s *Service) Record(ctx context.Context, p access.Principal, number string) (casework.Record, error) {
	r, f, err := s.readable(ctx, p, number)
	if err != nil {
		return casework.Record{}, err
	}
	c, err := caseOf(r)
	if err != nil {
		return casework.Record{}, err
	}
	evs, err := timeline(ctx, s.db, r.Number)
	if err != nil {
		return casework.Record{}, err
	}
	return casework.BuildRecord(c, evs, f), nil
}

// Lookup is the public's view of a case (H12, L7): by number and query code
// together (V3: a wrong code is the same not-found as an unknown number),
// masked, and withheld for minors, secrets and privacy.
func (s *Service) Lookup(ctx context.Context, number, code string) (casework.PublicView, error) {
	r, err := s.row(ctx, s.db, number)
	if err != nil {
		return casework.PublicView{}, err
	}
	c, err := caseOf(r)
	if err != nil {
		return casework.PublicView{}, err
	}
	if err := c.CheckQueryCode(code); err != nil {
		return casework.PublicView{}, err
	}
	f, err := s.flowByID(ctx, s.db, r.FlowID)
	if err != nil {
		return casework.PublicView{}, err
	}
	cal, err := s.cals.Calendar(ctx, r.BodyID)
	if err != nil {
		return casework.PublicView{}, err
	}
	evs, err := timeline(ctx, s.db, r.Number)
	if err != nil {
		return casework.PublicView{}, err
	}
	return casework.Public(c, evs, f, cal, s.now())
}

// Filter selects cases for the staff list. Zero fields do not filter.
type Filter struct {
	// BodyID: the cases of this body (0: the staff member's own); it must
	// be in the jurisdiction.
	BodyID int64
	// Queue: the cases in the body's queue now (O1: for a parent, the
	// cases of bodies below at its level) rather than the body's own.
	Queue bool
	// Unit: the cases the unit with this code handles.
	Unit   string
	Status flow.Status
	// DueBefore: cases whose limit in force ends before this day.
	DueBefore calendar.Date
	// After is the cursor of the next page (Page.Next); Limit the page's
	// size (default 50, at most 200).
	After string
	Limit int
}

// Summary is one case in a list.
type Summary struct {
	Number    string      `json:"number"`
	Version   int64       `json:"version"`
	Item      string      `json:"item"`
	ItemName  string      `json:"item_name"`
	Applicant string      `json:"applicant"`
	Status    flow.Status `json:"status"`
	Step      string      `json:"step"`
	// StepName is the flow's name of the step (or outcome) the case is at,
	// in the version the case runs on.
	StepName   flow.Text `json:"step_name"`
	Unit       string    `json:"unit"`
	OwnerID    int64     `json:"owner_id,omitempty"`
	Due        string    `json:"due,omitempty"` // YYYY-MM-DD, the last day of the limit in force
	Registered string    `json:"registered"`
	Flags      []string  `json:"flags"`
}

// Page is a page of a list and the cursor of the next ("" at the end).
type Page struct {
	Cases []Summary `json:"cases"`
	Next  string    `json:"next,omitempty"`
}

var statuses = []flow.Status{flow.Submitted, flow.Supplementing, flow.Accepted, flow.Handling, flow.Suspended,
	flow.Completed, flow.Refused, flow.Withdrawn}

// List is the staff case list, ordered by due date (cases without a running
// limit first) then number, in pages.
func (s *Service) List(ctx context.Context, p access.Principal, f Filter) (Page, error) {
	if p.Anonymous() {
		return Page{}, errStaffOnly()
	}
	bodyID := f.BodyID
	if bodyID == 0 {
		bodyID = p.BodyID
	}
	body, _, err := bodyOf(ctx, s.db, bodyID)
	if err != nil {
		return Page{}, err
	}
	if !p.Covers(body.Path) {
		return Page{}, errBodyNotYours(body.Name)
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 0 || f.Limit > 200 {
		return Page{}, errPaging("limit")
	}
	var where []string
	var args []any
	if f.Queue {
		where, args = append(where, "queue_path = ?"), append(args, body.Path)
	} else {
		where, args = append(where, "body_id = ?"), append(args, body.ID)
	}
	if f.Unit != "" {
		where, args = append(where, "unit = ?"), append(args, f.Unit)
	}
	if f.Status != "" {
		if !containsStatus(f.Status) {
			return Page{}, errStatus(string(f.Status))
		}
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.DueBefore != 0 {
		where, args = append(where, "due_on <> '' AND due_on < ?"), append(args, f.DueBefore.String())
	}
	if f.After != "" {
		due, id, ok := strings.Cut(f.After, "~")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || len(due) > 10 {
			return Page{}, errPaging("after")
		}
		// A row value, so both engines seek the list's index to the
		// cursor rather than filter every row before it (an OR does not).
		where, args = append(where, "(due_on, id) > (?, ?)"), append(args, due, n)
	}
	rows, err := s.db.Query(ctx, caseSelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY due_on, id LIMIT ?`,
		append(args, f.Limit+1)...)
	if err != nil {
		return Page{}, fmt.Errorf("caseworkdb: list: %w", err)
	}
	defer rows.Close()
	out := Page{Cases: []Summary{}}
	var flowIDs []int64
	var last caseRow
	for rows.Next() {
		var r caseRow
		if err := rows.Scan(cases.Fields(&r)...); err != nil {
			return Page{}, err
		}
		if len(out.Cases) == f.Limit {
			out.Next = last.DueOn + "~" + strconv.FormatInt(last.ID, 10)
			break
		}
		c, err := caseOf(r)
		if err != nil {
			return Page{}, err
		}
		out.Cases = append(out.Cases, Summary{Number: r.Number, Version: r.Version, Item: r.ItemCode, ItemName: c.Item.Name,
			Applicant: c.Applicant.Name, Status: c.Status, Step: r.Step, Unit: r.Unit, OwnerID: r.OwnerID, Due: r.DueOn,
			Registered: store.FromMicros(r.RegisteredAt).Format("2006-01-02T15:04:05Z07:00"), Flags: c.FlagRules()})
		flowIDs = append(flowIDs, r.FlowID)
		last = r
	}
	if err := rows.Err(); err != nil {
		return Page{}, err
	}
	if err := rows.Close(); err != nil { // before the flows are read
		return Page{}, err
	}
	// The step's name is the flow version's: versions are few and parsed
	// once (flowByID keeps them).
	for i := range out.Cases {
		fl, err := s.flowByID(ctx, s.db, flowIDs[i])
		if err != nil {
			return Page{}, err
		}
		out.Cases[i].StepName = fl.PlaceName(out.Cases[i].Step)
	}
	return out, nil
}

func containsStatus(s flow.Status) bool {
	for _, x := range statuses {
		if x == s {
			return true
		}
	}
	return false
}

// BodyPath is the path of the body the case with this number belongs to:
// the jurisdiction of the routes addressing it (O1; a parent's covers its
// bodies'). A malformed number is refused naming it, an unknown one is not
// found.
func (s *Service) BodyPath(ctx context.Context, number string) (string, error) {
	if _, _, _, err := casework.ParseNumber("number", number); err != nil {
		return "", err
	}
	var path string
	err := s.db.QueryRow(ctx, `SELECT body_path FROM cases WHERE number = ?`, number).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errNoCase(number)
	}
	if err != nil {
		return "", fmt.Errorf("caseworkdb: case %s: %w", clip(number), err)
	}
	return path, nil
}
