package main

import (
	"context"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web"
)

// caseToDosPerKind bounds each kind of case on the home page: the to-do
// list points at the work; the window's console and the unit's inbox list
// all of it.
const caseToDosPerKind = 10

// chinaTime is the users' clock for "overdue" on the to-do list.
var chinaTime = time.FixedZone("CST", 8*3600)

// caseToDos is case handling's part of the home page's to-do list: for
// window staff the applications of
// their body's queue waiting to be accepted (H2, L2), for a unit's staff
// the cases their unit is handling — each the earliest due first.
func caseToDos(svc *caseworkdb.Service) web.ToDoSource {
	return func(ctx context.Context, p access.Principal, lang string) ([]web.ToDo, error) {
		var out []web.ToDo
		// Who acts next is the reader, in the role that brought the case
		// here: the window's staff, or the unit's.
		// kind and next are message keys: the to-do's kind, and who acts.
		add := func(f caseworkdb.Filter, kind, next string) error {
			f.Limit = caseToDosPerKind
			pg, err := svc.List(ctx, p, f)
			if err != nil {
				return err
			}
			kind, next = msg.Text(lang, kind), msg.Text(lang, "qingdan.next_actor", msg.M(next), p.Name)
			for _, c := range pg.Cases {
				// The step by its flow's name, never its id (#14 item 2).
				t := web.ToDo{Kind: kind, Title: c.Number + " " + c.ItemName + " · " + c.StepName.In(lang), Link: "/cases/" + c.Number, Next: next}
				if d, err := time.Parse(time.DateOnly, c.Due); err == nil {
					t.Due, t.DueText = d, c.Due
				}
				out = append(out, t)
			}
			return nil
		}
		if p.Has(access.RoleWindow) {
			if err := add(caseworkdb.Filter{Queue: true, Status: flow.Submitted}, "qingdan.case_to_accept", "qingdan.the_window_s_staff"); err != nil {
				return nil, err
			}
		}
		if p.Has(access.RoleUnitStaff) && p.UnitID != 0 {
			code, err := svc.UnitCode(ctx, p.UnitID)
			if err != nil {
				return nil, err
			}
			if err := add(caseworkdb.Filter{Unit: code, Status: flow.Handling}, "qingdan.case_your_unit_is_handling", "qingdan.the_unit_s_staff"); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

// complaintToDos is complaints' part of the home page's to-do list: for
// the general office the complaints to accept (P4) and those found and
// waiting for the written answer (P8); for an investigator the complaints
// to declare on (P5) and to find. Earliest due first.
func complaintToDos(svc *complaintdb.Service) web.ToDoSource {
	return func(ctx context.Context, p access.Principal, lang string) ([]web.ToDo, error) {
		cs, err := svc.ToDos(ctx, p)
		if err != nil {
			return nil, err
		}
		var out []web.ToDo
		for _, c := range cs {
			kind := "qingdan.todo.complaint_to_investigate"
			switch c.Status {
			case complaint.Received:
				kind = "qingdan.todo.complaint_to_accept"
			case complaint.Found:
				kind = "qingdan.todo.complaint_to_answer"
			case complaint.Accepted:
				kind = "qingdan.todo.complaint_investigators_to_declare"
			}
			t := web.ToDo{Kind: msg.Text(lang, kind), Title: c.Number + " " + c.Ground.In(lang), Link: "/complaints/" + c.Number, Next: p.Name}
			if d := c.DueOn(); d != 0 {
				t.Due, t.DueText = d.Start(time.UTC), d.String()
			}
			out = append(out, t)
		}
		// P9: a leader sees the people and windows whose verified
		// complaints this year reached the consequence.
		if p.Has(access.RoleLeader) {
			rows, err := svc.Tally(ctx, p, time.Now().In(chinaTime).Year())
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				if r.ConsequenceZh == "" {
					continue
				}
				t := web.ToDo{Kind: msg.Text(lang, "qingdan.todo.complaints_three_verified_this_year"),
					Title: msg.Text(lang, "qingdan.todo.name_consequence", r.Name, msg.Both{Zh: r.ConsequenceZh, En: r.ConsequenceEn}), Link: "/complaints/tally", Next: p.Name}
				out = append(out, t)
			}
		}
		return out, nil
	}
}

// rectificationToDos is e-supervision's part of the to-do list: the open
// rectification items (S8) of the staff member's unit and those they own,
// earliest deadline first, overdue ones marked.
func rectificationToDos(svc *supervisedb.Service, now func() time.Time) web.ToDoSource {
	return func(ctx context.Context, p access.Principal, lang string) ([]web.ToDo, error) {
		if p.StaffID == 0 || p.ReadOnly() {
			return nil, nil
		}
		// A unit's staff see their unit's items; anyone else those they own.
		unitStaff := p.UnitID != 0 && p.Has(access.RoleUnitStaff) && !p.HasAny(access.RoleSupervisor, access.RoleLeader, access.RoleAdmin, access.RoleGeneralOffice)
		xs, err := svc.Rectifications(ctx, p, supervisedb.RectFilter{Open: true, Mine: !unitStaff})
		if err != nil {
			return nil, err
		}
		kind := msg.Text(lang, "qingdan.todo.rectification_item")
		today := now().In(chinaTime).Format(time.DateOnly)
		var out []web.ToDo
		for i, x := range xs {
			if i == caseToDosPerKind {
				break
			}
			due := x.Deadline.String()
			t := web.ToDo{Kind: kind, Title: x.Unit.Name + " · " + x.Problem, Link: "/supervision/rectifications/" + strconv.FormatInt(x.ID, 10),
				DueText: due, Overdue: due < today, Next: msg.Text(lang, "qingdan.todo.owner", x.Owner.Name)}
			if d, err := time.Parse(time.DateOnly, due); err == nil {
				t.Due = d
			}
			out = append(out, t)
		}
		return out, nil
	}
}
