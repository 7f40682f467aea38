package main

import (
	"context"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/web"
)

// caseToDosPerKind bounds each kind of case on the home page: the to-do
// list points at the work; the window's console and the unit's inbox list
// all of it.
const caseToDosPerKind = 10

// caseToDos is case handling's part of the home page's to-do list (the
// catalogue's is built into web): for window staff the applications of
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
				t := web.ToDo{Kind: kind, Title: c.Number + " " + c.ItemName, Link: "/cases/" + c.Number, Next: next}
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
