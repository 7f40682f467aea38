package complaintdb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/store"
)

// Filed is a complaint just filed with its query code, shown this once.
type Filed struct {
	Complaint complaint.Public `json:"complaint"`
	QueryCode string           `json:"query_code"`
}

// File files a complaint with body bodyID: online by the public (p is the
// zero Principal), or recorded by the body's general office from a phone
// call, a letter, an e-mail or a visit (P1). Nothing is stored when the
// filing is refused.
func (s *Service) File(ctx context.Context, p access.Principal, bodyID int64, f complaint.Filing) (Filed, error) {
	now := s.now()
	if p.Anonymous() {
		f.Channel = complaint.Online
	} else {
		if !p.Has(access.RoleGeneralOffice) {
			return Filed{}, apperr.Forbiddenf("complaintdb.only_the_general_office_records_complaints")
		}
		if bodyID == 0 {
			bodyID = p.BodyID
		}
		if f.Channel == complaint.Online {
			return Filed{}, apperr.Invalidf("channel", "complaintdb.online_complaints_are_filed_by_the")
		}
	}
	if bodyID == 0 {
		return Filed{}, apperr.Invalidf("body", "complaintdb.choose_the_body_the_complaint_is")
	}
	if err := f.Check(); err != nil {
		return Filed{}, err
	}
	b, err := bodyByID(ctx, s.db, bodyID)
	if err != nil {
		return Filed{}, err
	}
	if !p.Anonymous() && !p.Covers(b.Path) {
		return Filed{}, apperr.Forbiddenf("complaintdb.you_cannot_record_complaints_for_a")
	}
	if err := s.resolveTarget(ctx, b, &f.Target); err != nil {
		return Filed{}, err
	}
	cal, err := s.cals.Calendar(ctx, b.ID)
	if err != nil {
		return Filed{}, err
	}
	r := s.rules(b.ID)
	earlier, err := s.earlier(ctx, b.ID, f.Target.Key(), f.Ground)
	if err != nil {
		return Filed{}, err
	}
	var out Filed
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		year := cal.Date(now).Year()
		seq, err := nextSeq(ctx, tx, b.ID, year, "complaint")
		if err != nil {
			return err
		}
		number := complaint.NumberOf(b.Code, year, seq)
		code, err := casework.NewQueryCode(s.random)
		if err != nil {
			return err
		}
		c, err := complaint.File(f, number, casework.QueryCodeHash(number, code), now, cal, r, earlier)
		if err != nil {
			return err
		}
		c.BodyID, c.BodyPath, c.BodyName = b.ID, b.Path, b.Name
		if !p.Anonymous() {
			c.RecordedBy = p.Login
		}
		var rw row
		if err := encode(c, &rw, now); err != nil {
			return err
		}
		if err := complaints.Insert(ctx, tx, &rw, store.Event{Actor: actorOf(p), BodyID: b.ID, Action: "complaint.filed",
			To: string(c.Status), Payload: mustJSON(map[string]any{"channel": c.Channel, "ground": c.Ground, "target": c.Target.Key(), "repeat_of": c.RepeatOf})}); err != nil {
			return err
		}
		spec := calendar.ComplaintAcceptance
		if c.Centre {
			spec.Statutory.N = r.CentreAcceptDays
		} else {
			spec.Statutory.N = r.AcceptDays
		}
		if _, err := s.clocks.Create(ctx, tx, actorOf(p), clockRef(number, "acceptance"), b.ID, spec); err != nil {
			return err
		}
		if _, err := s.clocks.Start(ctx, tx, actorOf(p), clockRef(number, "acceptance"), now); err != nil {
			return err
		}
		out = Filed{Complaint: c.PublicView(), QueryCode: code}
		return nil
	})
	return out, err
}

// resolveTarget fills the complained unit's code and name (and a staff
// member's) from the organisation, refusing a target the body does not
// have: the unit is whose staff are recused (P5) and kept from the
// complainant's identity (O4).
func (s *Service) resolveTarget(ctx context.Context, b body, t *complaint.Target) error {
	switch t.Kind {
	case complaint.TargetStaff:
		if t.StaffID == 0 {
			// The public names a person, not an id: one active staff
			// member of that name in the body.
			name := strings.TrimSpace(t.Staff)
			ids, err := s.staffNamed(ctx, b.ID, name)
			if err != nil {
				return err
			}
			if len(ids) != 1 {
				return apperr.Invalidf("target.staff", "complaintdb.this_body_has_no_staff_member", name)
			}
			t.StaffID = ids[0]
		}
		st, err := staffByID(ctx, s.db, t.StaffID)
		if err != nil || st.BodyID != b.ID {
			return apperr.Invalidf("target.staff", "complaintdb.this_body_has_no_such_staff")
		}
		t.Staff, t.Unit, t.UnitName = st.Name, st.Unit, st.UnitNm
	case complaint.TargetCase:
		u, err := caseUnit(ctx, s.db, b.Path, strings.TrimSpace(t.Case))
		if err != nil {
			return err
		}
		t.Case, t.Unit = strings.TrimSpace(t.Case), u
	case complaint.TargetItem:
		t.Item = strings.TrimSpace(t.Item)
		if err := complaint.CheckText("target.item", "complaintdb.the_item_code", t.Item, 64, true); err != nil {
			return err
		}
	}
	if t.Unit != "" {
		name, _, err := unitName(ctx, s.db, b.ID, t.Unit)
		if err != nil {
			return err
		}
		if name == "" && t.Kind == complaint.TargetUnit {
			return apperr.Invalidf("target.unit", "complaintdb.this_body_has_no_unit", t.Unit)
		}
		t.UnitName = name
	}
	return nil
}

// earlier are the body's answered or refused complaints with the same
// target and ground, newest first (P3).
func (s *Service) earlier(ctx context.Context, bodyID int64, key string, g complaint.Ground) ([]complaint.Complaint, error) {
	rows, err := s.db.Query(ctx, selectSQL+` WHERE body_id = ? AND target_key = ? AND ground = ? AND status IN ('answered', 'refused', 'under_review')
		ORDER BY id DESC LIMIT 5`, bodyID, key, string(g))
	if err != nil {
		return nil, fmt.Errorf("complaintdb: earlier: %w", err)
	}
	defer rows.Close()
	var out []complaint.Complaint
	for rows.Next() {
		var r row
		if err := rows.Scan(complaints.Fields(&r)...); err != nil {
			return nil, fmt.Errorf("complaintdb: earlier: %w", err)
		}
		c, err := decode(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// complained reports whether p is the complained person or works in the
// complained unit: they never see the complainant (O4) nor handle it (P5).
func complained(ctx context.Context, q store.Querier, p access.Principal, c complaint.Complaint) (bool, error) {
	if p.StaffID != 0 && p.StaffID == c.Target.StaffID {
		return true, nil
	}
	if c.Target.Unit == "" || p.UnitID == 0 || p.BodyID != c.BodyID {
		return false, nil
	}
	var code string
	if err := q.QueryRow(ctx, `SELECT code FROM units WHERE id = ?`, p.UnitID).Scan(&code); err != nil {
		return false, fmt.Errorf("complaintdb: unit %d: %w", p.UnitID, err)
	}
	return code == c.Target.Unit, nil
}

// Role is what a principal is to a complaint.
type Role struct {
	Office       bool // the general office of the complaint's body (or above): handles it
	Supervisor   bool // a supervisor over it: reads it
	Investigator bool // one of its investigators
	Director     bool // the office director: approves an extension (P6)
	Complained   bool // the complained person or unit
}

// Handler: sees the complainant's identity (O4).
func (r Role) Handler() bool { return (r.Office || r.Investigator) && !r.Complained }

func (s *Service) roleOf(ctx context.Context, q store.Querier, p access.Principal, c complaint.Complaint) (Role, error) {
	var r Role
	if p.Anonymous() {
		return r, nil
	}
	var err error
	if r.Complained, err = complained(ctx, q, p, c); err != nil {
		return r, err
	}
	covers := p.Covers(c.BodyPath)
	r.Office = covers && p.Has(access.RoleGeneralOffice) && !r.Complained
	r.Supervisor = covers && p.Has(access.RoleSupervisor) && !r.Complained
	r.Investigator = c.IsInvestigator(p.StaffID)
	if r.Office {
		var head bool
		if err := q.QueryRow(ctx, `SELECT is_head FROM staff WHERE id = ?`, p.StaffID).Scan(&head); err != nil {
			return r, fmt.Errorf("complaintdb: staff %d: %w", p.StaffID, err)
		}
		r.Director = head
	}
	return r, nil
}

// Viewed is a complaint as a staff member sees it: without the
// complainant (O4, read through Identity), with what the viewer is to it,
// and the earlier answer of a repeat (P3).
type Viewed struct {
	Complaint complaint.Complaint `json:"complaint"`
	Role      Role                `json:"role"`
	Earlier   *complaint.Public   `json:"earlier,omitempty"`
}

// Get reads a complaint for a staff member who handles, supervises or
// investigates it; to anyone else (the complained unit included) it does
// not exist.
func (s *Service) Get(ctx context.Context, p access.Principal, number string) (Viewed, error) {
	r, err := byNumber(ctx, s.db, number)
	if err != nil {
		return Viewed{}, err
	}
	c, err := decode(r)
	if err != nil {
		return Viewed{}, err
	}
	role, err := s.roleOf(ctx, s.db, p, c)
	if err != nil {
		return Viewed{}, err
	}
	if !role.Office && !role.Supervisor && !role.Investigator {
		return Viewed{}, errNotYours()
	}
	v := Viewed{Complaint: c.Redacted(), Role: role}
	if c.RepeatOf != "" {
		// The earlier complaint is of the same body: rows are never deleted.
		er, err := byNumber(ctx, s.db, c.RepeatOf)
		if err != nil {
			return Viewed{}, err
		}
		e, err := decode(er)
		if err != nil {
			return Viewed{}, err
		}
		pv := e.PublicView()
		v.Earlier = &pv
	}
	return v, nil
}

// Identity is the complainant of a complaint, for its handlers only (O4):
// each read is an audited event naming the reader.
func (s *Service) Identity(ctx context.Context, p access.Principal, number string) (complaint.Complainant, error) {
	var out complaint.Complainant
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := byNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		c, err := decode(r)
		if err != nil {
			return err
		}
		role, err := s.roleOf(ctx, tx, p, c)
		if err != nil {
			return err
		}
		if !role.Handler() {
			return apperr.Forbiddenf("complaintdb.the_complainant_s_identity_is_visible")
		}
		out = c.Complainant
		return tx.Emit(store.Event{Actor: p.Login, BodyID: c.BodyID, Action: "complaint.identity.read",
			ObjectType: "complaint_identity", ObjectID: itoa(c.ID), RootType: ObjectComplaint, RootID: itoa(c.ID)})
	})
	return out, err
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of plain values always marshal
	}
	return b
}

// Action is an office's or investigator's action on a complaint.
type Action struct {
	// Action: accept, refuse, assign, declare, find, extend, answer.
	Action        string   `json:"action"`
	Mode          string   `json:"mode,omitempty"`
	Tier          string   `json:"tier,omitempty"`
	Days          int      `json:"days,omitempty"`
	Reason        string   `json:"reason,omitempty"` // refusal reason key (refuse), or the written reasons (extend, a special tier)
	Text          string   `json:"text,omitempty"`   // the refusal's or the answer's text
	Investigators []int64  `json:"investigators,omitempty"`
	Findings      string   `json:"findings,omitempty"`
	Verified      bool     `json:"verified,omitempty"`
	Outcomes      []string `json:"outcomes,omitempty"`
}

// Actions are the action names.
var Actions = []string{"accept", "refuse", "assign", "declare", "find", "extend", "answer"}

// Act carries out an action on the complaint at version (0: whatever is
// current, for the simulator; pages and the API always send theirs).
func (s *Service) Act(ctx context.Context, p access.Principal, number string, version int64, a Action) (complaint.Complaint, error) {
	now := s.now()
	if !slices.Contains(Actions, a.Action) {
		return complaint.Complaint{}, apperr.Invalidf("action", "complaintdb.unknown_action", a.Action)
	}
	var out complaint.Complaint
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := byNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		if r, err = complaints.Lock(ctx, tx, r.ID); err != nil {
			return err
		}
		if version != 0 && r.Version != version {
			return complaints.Stale(&r)
		}
		c, err := decode(r)
		if err != nil {
			return err
		}
		role, err := s.roleOf(ctx, tx, p, c)
		if err != nil {
			return err
		}
		if !role.Office && !role.Investigator {
			if role.Supervisor {
				return apperr.Forbiddenf("complaintdb.supervisors_read_complaints_only")
			}
			return errNotYours()
		}
		if (a.Action == "declare" || a.Action == "find") && !role.Investigator {
			return apperr.Forbiddenf("complaintdb.only_this_complaint_s_investigators_do")
		}
		if a.Action != "declare" && a.Action != "find" && !role.Office {
			return apperr.Forbiddenf("complaintdb.only_the_general_office_does_this")
		}
		cal, err := s.cals.Calendar(ctx, c.BodyID)
		if err != nil {
			return err
		}
		rules := s.rules(c.BodyID)
		before := c.Status
		actor := p.Login
		switch a.Action {
		case "accept":
			c, err = c.Accept(complaint.Acceptance{Mode: complaint.Mode(a.Mode), Tier: complaint.Tier(a.Tier), Days: a.Days, Reason: a.Reason}, now, cal, rules)
			if err == nil {
				err = s.startHandling(ctx, tx, actor, c)
			}
		case "refuse":
			c, err = c.Refuse(complaint.RefusalReason(a.Reason), a.Text, now, cal)
			if err == nil {
				_, err = s.clocks.Finish(ctx, tx, actor, clockRef(c.Number, "acceptance"), now)
			}
		case "assign":
			var inv []complaint.Investigator
			for _, id := range a.Investigators {
				st, err := staffByID(ctx, tx, id)
				if err != nil {
					return apperr.Invalidf("investigators", "complaintdb.no_active_staff_member", id)
				}
				if st.BodyID != c.BodyID {
					return apperr.Invalidf("investigators", "complaintdb.is_not_on_this_body_s", st.Name)
				}
				inv = append(inv, complaint.Investigator{StaffID: st.ID, Name: st.Name, Unit: st.Unit})
			}
			c, err = c.Assign(inv, rules)
		case "declare":
			c, err = c.Declare(p.StaffID, now)
		case "find":
			var os []complaint.Outcome
			for _, o := range a.Outcomes {
				os = append(os, complaint.Outcome(o))
			}
			c, err = c.Find(a.Findings, a.Verified, os)
		case "extend":
			c, err = c.Extend(a.Days, a.Reason, role.Director, actor, now, cal, rules)
			if err == nil {
				_, err = s.clocks.Extend(ctx, tx, actor, clockRef(c.Number, "handling"), now, a.Days, c.Extension.Reason)
			}
		case "answer":
			c, err = s.answer(ctx, tx, p, c, a.Text, now, cal, rules)
			if err == nil {
				_, err = s.clocks.Finish(ctx, tx, actor, clockRef(c.Number, "handling"), now)
			}
		}
		if err != nil {
			return err
		}
		if err := encode(c, &r, now); err != nil {
			return err
		}
		if err := complaints.Save(ctx, tx, &r, store.Event{Actor: actor, BodyID: c.BodyID, Action: "complaint." + a.Action,
			From: string(before), To: string(c.Status), Payload: payloadOf(a)}); err != nil {
			return err
		}
		c.Version = r.Version
		out = c.Redacted()
		return nil
	})
	return out, err
}

// payloadOf is what the event says of an action: never the complainant.
func payloadOf(a Action) json.RawMessage {
	return mustJSON(a)
}

// startHandling finishes the acceptance clock and starts the handling
// clock (P6: 15 working days, or the tier's).
func (s *Service) startHandling(ctx context.Context, tx *store.Tx, actor string, c complaint.Complaint) error {
	t := c.AcceptedAt
	if _, err := s.clocks.Finish(ctx, tx, actor, clockRef(c.Number, "acceptance"), t); err != nil {
		return err
	}
	spec := calendar.ComplaintHandling
	spec.Statutory.N = c.HandlingDays
	spec.MaxExtension = s.rules(c.BodyID).MaxExtensionDays
	if _, err := s.clocks.Create(ctx, tx, actor, clockRef(c.Number, "handling"), c.BodyID, spec); err != nil {
		return err
	}
	_, err := s.clocks.Start(ctx, tx, actor, clockRef(c.Number, "handling"), t)
	return err
}

// byQueryCode reads complaint number for its complainant, who proves who
// they are by the query code; a wrong code is the same not-found as an
// unknown number.
func (s *Service) byQueryCode(ctx context.Context, number, code string) (complaint.Complaint, error) {
	n, err := complaint.ParseNumber("number", number)
	if err != nil {
		return complaint.Complaint{}, err
	}
	r, err := byNumber(ctx, s.db, n)
	if err != nil {
		return complaint.Complaint{}, err
	}
	c, err := decode(r)
	if err != nil {
		return complaint.Complaint{}, err
	}
	if err := c.CheckQueryCode(code); err != nil {
		return complaint.Complaint{}, err
	}
	return c, nil
}

// Lookup is the complainant's follow-up: the complaint by number and
// query code, as its public view (V3, O4).
func (s *Service) Lookup(ctx context.Context, number, code string) (complaint.Public, error) {
	c, err := s.byQueryCode(ctx, number, code)
	if err != nil {
		return complaint.Public{}, err
	}
	return c.PublicView(), nil
}

// RequestReview is the complainant's request for review by the level
// above (P8), with the number and query code.
func (s *Service) RequestReview(ctx context.Context, number, code, reason string) (complaint.Public, error) {
	now := s.now()
	n, err := complaint.ParseNumber("number", number)
	if err != nil {
		return complaint.Public{}, err
	}
	var out complaint.Public
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := byNumber(ctx, tx, n)
		if err != nil {
			return err
		}
		if r, err = complaints.Lock(ctx, tx, r.ID); err != nil {
			return err
		}
		c, err := decode(r)
		if err != nil {
			return err
		}
		if err := c.CheckQueryCode(code); err != nil {
			return err
		}
		cal, err := s.cals.Calendar(ctx, c.BodyID)
		if err != nil {
			return err
		}
		before := c.Status
		if c, err = c.RequestReview(reason, now, cal); err != nil {
			return err
		}
		if err := encode(c, &r, now); err != nil {
			return err
		}
		if err := complaints.Save(ctx, tx, &r, store.Event{Actor: "public", BodyID: c.BodyID, Action: "complaint.review_requested",
			From: string(before), To: string(c.Status)}); err != nil {
			return err
		}
		out = c.PublicView()
		return nil
	})
	return out, err
}

func (s *Service) staffNamed(ctx context.Context, bodyID int64, name string) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM staff WHERE body_id = ? AND name = ? AND active LIMIT 2`, bodyID, name)
	if err != nil {
		return nil, fmt.Errorf("complaintdb: staff named: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("complaintdb: staff named: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AddEvidence adds the complainant's files to a phone or letter complaint
// within its 3 working days (P1), with the number and query code.
func (s *Service) AddEvidence(ctx context.Context, number, code string, files []complaint.Evidence) (complaint.Public, error) {
	now := s.now()
	n, err := complaint.ParseNumber("number", number)
	if err != nil {
		return complaint.Public{}, err
	}
	if len(files) == 0 {
		return complaint.Public{}, apperr.Invalidf("evidence", "complaintdb.choose_the_evidence_files_to_add")
	}
	var out complaint.Public
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		r, err := byNumber(ctx, tx, n)
		if err != nil {
			return err
		}
		if r, err = complaints.Lock(ctx, tx, r.ID); err != nil {
			return err
		}
		c, err := decode(r)
		if err != nil {
			return err
		}
		if err := c.CheckQueryCode(code); err != nil {
			return err
		}
		cal, err := s.cals.Calendar(ctx, c.BodyID)
		if err != nil {
			return err
		}
		if c, err = c.AddEvidence(files, now, cal); err != nil {
			return err
		}
		if err := encode(c, &r, now); err != nil {
			return err
		}
		if err := complaints.Save(ctx, tx, &r, store.Event{Actor: "public", BodyID: c.BodyID, Action: "complaint.evidence_added",
			From: string(c.Status), To: string(c.Status), Payload: mustJSON(files)}); err != nil {
			return err
		}
		out = c.PublicView()
		return nil
	})
	return out, err
}
