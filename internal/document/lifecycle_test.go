package document_test

import (
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/document"
)

// TestDocument_H4_everyDocumentATransitionIssuesRenders runs cases through
// the pure core's real transitions on the shipped promised flow — receipt,
// acceptance, promise, hand-over, site survey, extension, hand-back,
// completion; supplementation, refusal, withdrawal — and renders every
// document their effects ask for with the shipped templates, numbered in
// per-word sequences, checked as issue checks each (number, QR code, seal).
func TestDocument_H4_everyDocumentATransitionIssuesRenders(t *testing.T) {
	cal, flows := caseworktest.Calendar(t), caseworktest.Flows(t)
	district := casework.Body{ID: 1, Path: "/1/", Code: "330199", Name: "青山区人民政府"}
	staff := func(id int64, name, unit string, roles ...string) casework.Actor {
		return casework.Actor{Staff: casework.Staff{ID: id, Login: name, Name: name}, Roles: roles, BodyPath: district.Path, Unit: unit}
	}
	window := staff(21, "陈晓", "BMFW", "window")
	unit := staff(31, "吴刚", "ZHZF", "unit_staff")
	leader := staff(2, "韩立", "", "leader")
	item := casework.Item{ID: 7, VersionID: 70, Code: "11410199005100019U0100001000", Name: "户外广告设置许可",
		Category: "licensing", Kind: casework.Promised,
		Statutory: calendar.Budget{N: 20, Unit: calendar.WorkingDays}, Promised: calendar.Budget{N: 10, Unit: calendar.WorkingDays},
		Materials: []casework.Material{{Name: "申请书", Required: true}, {Name: "身份证复印件", Required: true}, {Name: "场地使用证明", Required: true}},
		Stars:     4, Unit: casework.Unit{Code: "ZHZF", Name: "综合执法队"}}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.DefaultLocation)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	env := func(when string, a casework.Actor) casework.Env {
		return casework.Env{Now: at(when), Calendar: cal, Flow: flows["promised"], Actor: a, Standing: casework.Listed}
	}
	seqs := map[string]int64{}
	rendered := map[casework.DocumentKind]bool{}
	render := func(c casework.Case, eff casework.Effects) {
		t.Helper()
		for _, d := range eff.Documents {
			spec, err := document.SpecOf("kind", d.Kind)
			if err != nil {
				continue // the unit's own papers (opinion, decision, transfer slip)
			}
			seqs[spec.Word]++
			n, err := document.NumberFor("青山", spec, d.Date, seqs[spec.Word])
			if err != nil {
				t.Fatal(err)
			}
			data := document.FromCase(c, d, n, document.Context{PublicURL: "https://qingdan.example.gov.cn/portal/cases/" + c.Number, Officer: "陈晓"})
			got := issue(t, d.Kind, "zh", data, false)
			if !strings.Contains(got.text, c.Applicant.Name) && spec.Sealed {
				t.Errorf("%s does not name the applicant", d.Kind)
			}
			rendered[d.Kind] = true
		}
	}
	open := func(number string, materials ...string) casework.Case {
		app := casework.Application{Number: number, QueryCodeHash: casework.QueryCodeHash(number, "ABCD2345"), Item: item, Body: district,
			Materials: materials, Applicant: casework.Applicant{Kind: casework.Person, Name: "张三", ResidentID: "11010519491231002X"}}
		c, eff, err := casework.Open(app, env("2026-03-02T09:00", window))
		if err != nil {
			t.Fatal(err)
		}
		render(c, eff)
		return c
	}
	do := func(c casework.Case, when string, a casework.Actor, act casework.Action) casework.Case {
		t.Helper()
		c2, eff, err := casework.Act(c, act, env(when, a))
		if err != nil {
			t.Fatalf("%s: %v", act.ID, err)
		}
		render(c2, eff)
		return c2
	}

	all := []string{"申请书", "身份证复印件", "场地使用证明"}
	c := open("330199-2026-000001", all...)
	c = do(c, "2026-03-02T09:10", window, casework.Action{ID: "accept"})
	c = do(c, "2026-03-02T10:00", window, casework.Action{ID: "hand_over"})
	c = do(c, "2026-03-03T09:00", unit, casework.Action{ID: "receive"})
	c = do(c, "2026-03-04T09:00", leader, casework.Action{ID: "pause", Reason: "需核实广告牌位置", Days: 5})
	c = do(c, "2026-03-06T09:00", unit, casework.Action{ID: "resume", Opinion: "位置符合规划"})
	c = do(c, "2026-03-09T09:00", leader, casework.Action{ID: "extend", Days: 5, Reason: "需征求城管部门意见"})
	c = do(c, "2026-03-12T09:00", unit, casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予设置"})
	c = do(c, "2026-03-12T15:00", unit, casework.Action{ID: "hand_back"})
	c = do(c, "2026-03-13T09:00", window, casework.Action{ID: "complete", Certificate: "GG-2026-0001"})
	if c.Completion == nil {
		t.Fatal("not completed")
	}

	short := open("330199-2026-000002", "申请书")
	short = do(short, "2026-03-02T09:20", window, casework.Action{ID: "request_supplement", Missing: []string{"身份证复印件", "场地使用证明"}})
	do(short, "2026-03-03T09:00", window, casework.Action{ID: "refuse", Reason: "申请人逾期未补正", Basis: "《中华人民共和国行政许可法》第三十二条"})

	gone := open("330199-2026-000003", all...)
	do(gone, "2026-03-02T11:00", window, casework.Action{ID: "withdraw", Reason: "不再设置"})

	for _, s := range document.Specs {
		if s.Kind == document.ComplaintAnswer {
			continue // issued by complaintdb (its tests), not by a case
		}
		if !rendered[s.Kind] {
			t.Errorf("no transition issued a %s here", s.Kind)
		}
	}
	if seqs["收"] != 3 || seqs["受"] != 1 {
		t.Errorf("sequences %v", seqs)
	}
}
