package catweb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/web/page"
)

// ToDos is the catalogue's part of the home page's to-do list (a
// web.ToDoSource), in lang: adjustments whose next step is p's, and
// derived-list reviews (C6) p must act on.
func ToDos(svc Catalog) func(ctx context.Context, p access.Principal, lang string) ([]page.ToDo, error) {
	return func(ctx context.Context, p access.Principal, lang string) ([]page.ToDo, error) {
		return toDos(ctx, svc, p, lang)
	}
}

func toDos(ctx context.Context, svc Catalog, p access.Principal, lang string) ([]page.ToDo, error) {
	tasks, err := svc.Tasks(ctx, p)
	if err != nil {
		return nil, err
	}
	t := func(key string, args ...any) string { return messages.Text(lang, key, args...) }
	var out []page.ToDo
	for _, task := range tasks {
		switch {
		case task.Adjustment != nil:
			a := task.Adjustment
			td := page.ToDo{Kind: t("todo.adjustment", stepWords(lang, mine(task.Waiting, p.StaffID))),
				Title: a.Title, Link: fmt.Sprintf("/catalog/adjustments/%d", a.ID), Next: waitingWords(lang, task.Waiting)}
			if a.PublicationDue != nil && a.Stage == catalog.StageApproved {
				td.Due = *a.PublicationDue
				td.DueText = t("todo.publish_by", when(td.Due))
				td.Overdue = a.Late
			}
			out = append(out, td)
		case task.Review != nil:
			rv := task.Review
			kind := t("todo.review")
			if rv.AwaitingApproval() {
				kind = t("todo.exemption")
			}
			out = append(out, page.ToDo{Kind: kind, Title: rv.BaseCode + " " + rv.Name + " · " + rv.BodyName,
				Link: fmt.Sprintf("/catalog/reviews#review-%d", rv.ID), Due: rv.Due,
				DueText: dueInWorkingDays(lang, rv.Due, task.DaysLeft), Overdue: rv.Overdue, Next: waitingWords(lang, task.Waiting)})
		}
	}
	return out, nil
}

// mine is the waiting entry that names staff member id (the reader).
func mine(ws []catdb.Waiting, id int64) catdb.Waiting {
	for _, w := range ws {
		if w.Has(id) {
			return w
		}
	}
	return catdb.Waiting{}
}

// dueInWorkingDays says a due date with the working days left.
func dueInWorkingDays(lang string, due time.Time, left int) string {
	switch {
	case left > 0:
		return messages.Text(lang, "todo.due_left", day(due), left)
	case left == 0:
		return messages.Text(lang, "todo.due_today", day(due))
	}
	return messages.Text(lang, "todo.due_over", day(due), -left)
}

// capacityWords names a capacity of catdb.Waiting.
func capacityWords(lang string, w catdb.Waiting) string {
	key := "waiting." + w.Role
	if w.Role == catdb.AsListLiaison && w.Step == "" {
		key = "waiting.reviewer" // a review task: the liaisons or the office
	}
	words := messages.Text(lang, key)
	switch w.Group {
	case catalog.PowerListGroup:
		words = messages.Text(lang, "waiting.power_list", words)
	case catalog.DutyListGroup:
		words = messages.Text(lang, "waiting.duty_list", words)
	}
	return words
}

// stepWords names the step a waiting entry is for.
func stepWords(lang string, w catdb.Waiting) string {
	if w.Step == "" {
		return messages.Text(lang, "waiting.step.act")
	}
	return messages.Text(lang, "waiting.step."+string(w.Step))
}

// waitingWords says who must act next: each capacity with its step and the
// people holding it by name (and unit), or that nobody holds it yet.
func waitingWords(lang string, ws []catdb.Waiting) string {
	parts := make([]string, 0, len(ws))
	for _, w := range ws {
		names := make([]string, 0, len(w.People))
		for _, p := range w.People {
			if p.Unit == "" {
				names = append(names, p.Name)
			} else {
				names = append(names, messages.Text(lang, "waiting.person", p.Name, p.Unit))
			}
		}
		who := strings.Join(names, messages.Text(lang, "list.sep"))
		if len(names) == 0 {
			who = messages.Text(lang, "waiting.nobody")
		}
		parts = append(parts, messages.Text(lang, "waiting.entry", capacityWords(lang, w), stepWords(lang, w), who))
	}
	return strings.Join(parts, messages.Text(lang, "waiting.sep"))
}
