package main

import (
	"context"
	"slices"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework/scenario"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
)

// Complaint steps of `qingdan simulate` (issue #17 item 8): they act
// through the complaint service as the pages do, on the simulated clock.

type simComplaint struct{ name, number, code string }

// complaintStep runs one complaint step.
func (m *sim) complaintStep(ctx context.Context, st scenario.Step) error {
	if st.Do == "complain" {
		return m.complain(ctx, st)
	}
	i := slices.IndexFunc(m.complaints, func(sc simComplaint) bool { return sc.name == st.Complaint })
	if i < 0 {
		return apperr.New(apperr.NotFound, "complaint", "qingdan.complaint_was_never_filed", st.Complaint)
	}
	sc := m.complaints[i]
	if st.Do == "request_review" {
		_, err := m.cmpl.RequestReview(ctx, sc.number, sc.code, st.Reason)
		return err
	}
	office, err := m.officer(ctx, st.As, st.Do == "extend_complaint")
	if err != nil {
		return err
	}
	act := func(p access.Principal, a complaintdb.Action) error {
		_, err := m.cmpl.Act(ctx, p, sc.number, 0, a)
		return err
	}
	switch st.Do {
	case "accept_complaint":
		mode := st.Mode
		if mode == "" {
			mode = string(complaint.Direct)
		}
		return act(office, complaintdb.Action{Action: "accept", Mode: mode})
	case "refuse_complaint":
		return act(office, complaintdb.Action{Action: "refuse", Reason: st.Reason, Text: st.Text})
	case "extend_complaint":
		return act(office, complaintdb.Action{Action: "extend", Days: st.Days, Reason: st.Reason})
	case "assign_investigators":
		var ids []int64
		var who []access.Principal
		for _, login := range st.Investigators {
			p, ok := m.person(login)
			if !ok {
				return apperr.Invalidf("investigators", "qingdan.the_demo_has_no_account", login)
			}
			ids, who = append(ids, p.StaffID), append(who, p)
		}
		if err := act(office, complaintdb.Action{Action: "assign", Investigators: ids}); err != nil {
			return err
		}
		for _, p := range who {
			if err := act(p, complaintdb.Action{Action: "declare"}); err != nil {
				return err
			}
		}
		return nil
	case "answer_complaint":
		v, err := m.cmpl.Get(ctx, m.overseer, sc.number)
		if err != nil {
			return err
		}
		if len(v.Complaint.Investigators) == 0 {
			return apperr.Conflictf("qingdan.the_complaint_has_no_investigators_yet")
		}
		inv, ok := m.personByID(v.Complaint.Investigators[0].StaffID)
		if !ok {
			return apperr.Conflictf("qingdan.the_investigator_has_no_demo_account")
		}
		if err := act(inv, complaintdb.Action{Action: "find", Findings: st.Findings, Verified: st.Verified, Outcomes: st.Outcomes}); err != nil {
			return err
		}
		return act(office, complaintdb.Action{Action: "answer", Text: st.Text})
	}
	return apperr.Invalidf("do", "qingdan.unknown_complaint_action", st.Do)
}

func (m *sim) complain(ctx context.Context, st scenario.Step) error {
	f := complaint.Filing{Channel: complaint.Channel(st.Channel), Ground: complaint.Ground(st.Ground), Facts: st.Facts,
		Complainant: complaint.Complainant{Anonymous: true}}
	if st.Complainant != nil && (st.Complainant.Name != "" || st.Complainant.Phone != "") {
		f.Complainant = complaint.Complainant{Name: st.Complainant.Name, Phone: st.Complainant.Phone}
	}
	if t := st.Target; t != nil {
		switch {
		case t.Unit != "":
			f.Target = complaint.Target{Kind: complaint.TargetUnit, Unit: t.Unit}
		case t.Staff != "":
			f.Target = complaint.Target{Kind: complaint.TargetStaff, Staff: t.Staff}
			if p, ok := m.person(t.Staff); ok {
				f.Target.StaffID = p.StaffID
			}
		case t.Case != "":
			i := slices.IndexFunc(m.cases, func(sc simCase) bool { return sc.name == t.Case })
			if i < 0 {
				return apperr.Invalidf("target.case", "qingdan.case_was_never_opened", t.Case)
			}
			f.Target = complaint.Target{Kind: complaint.TargetCase, Case: m.cases[i].number}
		case t.Item != "":
			f.Target = complaint.Target{Kind: complaint.TargetItem, Item: t.Item}
		}
	}
	p := access.Principal{}
	if f.Channel != "" && f.Channel != complaint.Online {
		var err error
		if p, err = m.officer(ctx, st.As, false); err != nil {
			return err
		}
	}
	filed, err := m.cmpl.File(ctx, p, m.body.ID, f)
	if err != nil {
		return err
	}
	m.complaints = append(m.complaints, simComplaint{name: st.Complaint, number: filed.Complaint.Number, code: filed.QueryCode})
	return nil
}

func (m *sim) person(login string) (access.Principal, bool) {
	i := slices.IndexFunc(m.people, func(p access.Principal) bool { return p.Login == login })
	if i < 0 {
		return access.Principal{}, false
	}
	return m.people[i], true
}

func (m *sim) personByID(id int64) (access.Principal, bool) {
	i := slices.IndexFunc(m.people, func(p access.Principal) bool { return p.StaffID == id })
	if i < 0 {
		return access.Principal{}, false
	}
	return m.people[i], true
}

// officer is who acts for the general office: `as` (a login), else the
// first general-office member of the body — its director (a head of
// unit) when director.
func (m *sim) officer(ctx context.Context, as string, director bool) (access.Principal, error) {
	if as != "" {
		if p, ok := m.person(as); ok {
			return p, nil
		}
		return access.Principal{}, apperr.Invalidf("as", "qingdan.the_demo_has_no_account", as)
	}
	for _, p := range m.people {
		if p.BodyPath != m.body.Path || !p.Has(access.RoleGeneralOffice) {
			continue
		}
		if director {
			var head bool
			if err := m.db.QueryRow(ctx, `SELECT is_head FROM staff WHERE id = ?`, p.StaffID).Scan(&head); err != nil {
				return p, err
			}
			if !head {
				continue
			}
		}
		return p, nil
	}
	return access.Principal{}, scenario.NoStaff(m.body.Name, string(access.RoleGeneralOffice))
}

// complaintResults are the output's complaints when the clock stopped.
func (m *sim) complaintResults(ctx context.Context) ([]scenario.ComplaintResult, error) {
	var out []scenario.ComplaintResult
	for _, sc := range m.complaints {
		v, err := m.cmpl.Get(ctx, m.overseer, sc.number)
		if err != nil {
			return nil, err
		}
		c := v.Complaint
		r := scenario.ComplaintResult{Complaint: sc.name, Number: c.Number, Status: string(c.Status), Flags: c.Flags(), Cards: []scenario.CardResult{}}
		if r.Flags == nil {
			r.Flags = []string{}
		}
		if c.AcceptedOn != 0 {
			d := c.AcceptedOn
			r.AcceptedOn = &d
		}
		// As a case's: the handling limit with its extension, as it stood
		// at the answer once answered; the acceptance day before.
		due := c.Due
		if c.Status == complaint.Received {
			due = c.AcceptDue
		}
		if due != 0 {
			r.Due = &due
		}
		out = append(out, r)
	}
	return out, nil
}
