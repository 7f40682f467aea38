package main

import (
	"context"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web"
)

// caseToDosPerKind bounds each kind of case on the home page: the to-do
// list points at the work; the window's console and the unit's inbox list
// all of it.
const caseToDosPerKind = 10

// chinaTime is the users' clock for "overdue" on the to-do list.
var chinaTime = time.FixedZone("CST", 8*3600)

// caseToDos is case handling's part of the home page's to-do list (the
// catalogue's is built into web): for window staff the applications of
// their body's queue waiting to be accepted (H2, L2), for a unit's staff
// the cases their unit is handling — each the earliest due first.
func caseToDos(svc *caseworkdb.Service) web.ToDoSource {
	return func(ctx context.Context, p access.Principal, lang string) ([]web.ToDo, error) {
		var out []web.ToDo
		// Who acts next is the reader, in the role that brought the case
		// here: the window's staff, or the unit's.
		add := func(f caseworkdb.Filter, kindZh, kindEn, nextZh, nextEn string) error {
			f.Limit = caseToDosPerKind
			pg, err := svc.List(ctx, p, f)
			if err != nil {
				return err
			}
			kind, next := kindZh, nextZh+"："+p.Name
			if lang == "en" {
				kind, next = kindEn, nextEn+": "+p.Name
			}
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
			if err := add(caseworkdb.Filter{Queue: true, Status: flow.Submitted}, "办件 · 待受理", "case · to accept", "窗口工作人员", "the window's staff"); err != nil {
				return nil, err
			}
		}
		if p.Has(access.RoleUnitStaff) && p.UnitID != 0 {
			code, err := svc.UnitCode(ctx, p.UnitID)
			if err != nil {
				return nil, err
			}
			if err := add(caseworkdb.Filter{Unit: code, Status: flow.Handling}, "办件 · 本单位办理中", "case · your unit is handling", "本单位工作人员", "the unit's staff"); err != nil {
				return nil, err
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
		kind, next := "整改事项", "整改责任人："
		if lang == "en" {
			kind, next = "rectification item", "owner: "
		}
		today := now().In(chinaTime).Format(time.DateOnly)
		var out []web.ToDo
		for i, x := range xs {
			if i == caseToDosPerKind {
				break
			}
			due := x.Deadline.String()
			t := web.ToDo{Kind: kind, Title: x.Unit.Name + " · " + x.Problem, Link: "/supervision/rectifications/" + strconv.FormatInt(x.ID, 10),
				DueText: due, Overdue: due < today, Next: next + x.Owner.Name}
			if d, err := time.Parse(time.DateOnly, due); err == nil {
				t.Due = d
			}
			out = append(out, t)
		}
		return out, nil
	}
}
