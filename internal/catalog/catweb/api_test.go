package catweb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

func body(t *testing.T, db *store.DB, code string) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(context.Background(), `SELECT id FROM bodies WHERE code = ?`, code).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestCatalogAPI_publicReadsAndStanding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s, _ := catalogPages(t, db)
		district := body(t, db, org.DemoRootCode)
		list, err := s.PublishedList(context.Background(), district, catdb.ListFilter{})
		if err != nil || len(list) == 0 {
			t.Fatal(err)
		}
		item := list[0]
		p := api.Prefix + "/catalog"
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "public list", URL: fmt.Sprintf("%s/bodies/%d/items", p, district), Status: 200, Contains: []string{item.BaseCode, item.Name}},
			{Name: "list by category", URL: fmt.Sprintf("%s/bodies/%d/items?category=%s", p, district, item.Category), Status: 200, Contains: []string{item.BaseCode}},
			{Name: "bad category", URL: fmt.Sprintf("%s/bodies/%d/items?category=astrology", p, district), Status: 400, Contains: []string{`"field":"category"`}},
			{Name: "bad body", URL: p + "/bodies/x/items", Status: 400, Contains: []string{`"field":"body"`}},
			{Name: "no such body", URL: p + "/bodies/999999/items", Status: 404},
			{Name: "bad cancelled flag", URL: fmt.Sprintf("%s/bodies/%d/items?cancelled=maybe", p, district), Status: 400, Contains: []string{`"field":"cancelled"`}},
			{Name: "paged", URL: fmt.Sprintf("%s/bodies/%d/items?limit=1&offset=0", p, district), Status: 200, Contains: []string{item.BaseCode}},
			{Name: "bad limit", URL: fmt.Sprintf("%s/bodies/%d/items?limit=-1", p, district), Status: 400, Contains: []string{`"field":"limit"`}},
			{Name: "item with history", URL: fmt.Sprintf("%s/bodies/%d/items/%s", p, district, item.BaseCode), Status: 200, Contains: []string{`"history"`, item.ContentHash}},
			{Name: "unknown item", URL: fmt.Sprintf("%s/bodies/%d/items/0000000000", p, district), Status: 404, Contains: []string{`"field":"code"`}},
			{Name: "by implementation code", URL: p + "/items/" + item.ImplCode, Status: 200, Contains: []string{item.BaseCode}},
			{Name: "proof", URL: fmt.Sprintf("%s/versions/%d/proof", p, item.ID), Status: 200, Contains: []string{`"leaf"`, `"checkpoint"`}},
			{Name: "proof bad id", URL: p + "/versions/0/proof", Status: 400, Contains: []string{`"field":"id"`}},
			{Name: "standing now", URL: fmt.Sprintf("%s/standing?body=%d&code=%s", p, district, item.BaseCode), Status: 200, Contains: []string{`"standing":"` + string(standingOf(item.Status)) + `"`}},
			{Name: "standing in 2000", URL: fmt.Sprintf("%s/standing?body=%d&code=%s&at=2000-01-01T00:00:00%%2B08:00", p, district, item.BaseCode), Status: 200,
				Contains: []string{`"standing":"unknown"`, `"may_open_case":false`}},
			{Name: "standing without body", URL: p + "/standing?code=" + item.BaseCode, Status: 400, Contains: []string{`"field":"body"`}},
			{Name: "standing without code", URL: fmt.Sprintf("%s/standing?body=%d", p, district), Status: 400, Contains: []string{`"field":"code"`}},
			{Name: "standing bad instant", URL: fmt.Sprintf("%s/standing?body=%d&code=x&at=yesterday", p, district), Status: 400, Contains: []string{`"field":"at"`}},
			{Name: "adjustments need login", URL: p + "/adjustments", Status: 401},
			{Name: "reviews need login", URL: p + "/reviews", Status: 401},
		})
	})
}

func standingOf(s catalog.VersionStatus) catalog.Standing {
	switch s {
	case catalog.StatusSuspended:
		return catalog.Suspended
	case catalog.StatusCancelled:
		return catalog.Cancelled
	}
	return catalog.Listed
}

func TestCatalogAPI_writesByRoleAndJurisdiction_badInputChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s, as := catalogPages(t, db)
		ctx := context.Background()
		in := streetHoursDraft(t, db, s)
		good, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		noTitle := strings.Replace(string(good), `"title":"调整办理时间"`, `"title":""`, 1)
		badReason := strings.Replace(string(good), `"reason":"operating_experience"`, `"reason":"whim"`, 1)
		p := api.Prefix + "/catalog"
		count := func() int {
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM catalog_adjustments`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "anonymous cannot draft", Method: "POST", URL: p + "/adjustments", Body: string(good), Status: 401},
			{Name: "external supervisor never writes", Method: "POST", URL: p + "/adjustments", As: as("冯清"), Body: string(good), Status: 403},
			{Name: "window clerk is not a liaison", Method: "POST", URL: p + "/adjustments", As: as("陈晓"), Body: string(good), Status: 403},
			{Name: "unknown field", Method: "POST", URL: p + "/adjustments", As: as("邓雪"), Body: `{"titel":"x"}`, Status: 400},
			{Name: "no title", Method: "POST", URL: p + "/adjustments", As: as("邓雪"), Body: noTitle, Status: 400, Contains: []string{`"field":"title"`}},
			{Name: "bad reason", Method: "POST", URL: p + "/adjustments", As: as("邓雪"), Body: badReason, Status: 400, Contains: []string{`"field":"reason"`}},
			{Name: "bad id", Method: "POST", URL: p + "/adjustments/x/actions", As: as("许明"), Body: `{"kind":"sign"}`, Status: 400, Contains: []string{`"field":"id"`}},
		})
		if got := count(); got != before {
			t.Fatalf("bad requests stored adjustments: %d → %d", before, got)
		}
		res, out := webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: p + "/adjustments", As: as("邓雪"), Body: string(good)})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, out)
		}
		var a catdb.Adjustment
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("%s/adjustments/%d", p, a.ID)
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "own jurisdiction reads it", URL: id, As: as("许明"), Status: 200, Contains: []string{"调整办理时间", `"stage":"drafting"`}},
			{Name: "district reads it", URL: id, As: as("周文"), Status: 200},
			{Name: "elements changed", URL: id + "/elements", As: as("许明"), Status: 200, Contains: []string{`["hours"]`}},
			{Name: "other town may not", URL: id, As: as("蒋涛"), Status: 403},
			{Name: "edit with a bad reason", Method: "PUT", URL: id, As: as("邓雪"), Body: badReason, Header: ifMatch(a.Version), Status: 400, Contains: []string{`"field":"reason"`}},
			{Name: "edit with an unknown field", Method: "PUT", URL: id, As: as("邓雪"), Body: `{"title":"x","colour":"red"}`, Status: 400},
			{Name: "edit by another unit's liaison", Method: "PUT", URL: id, As: as("彭悦"), Body: string(good), Header: ifMatch(a.Version), Status: 403},
			{Name: "liaison may not sign", Method: "POST", URL: id + "/actions", As: as("邓雪"), Body: `{"kind":"sign"}`, Status: 403},
			{Name: "unknown action", Method: "POST", URL: id + "/actions", As: as("许明"), Body: `{"kind":"bless"}`, Status: 400, Contains: []string{`"field":"action"`}},
			{Name: "head signs", Method: "POST", URL: id + "/actions", As: as("许明"), Body: `{"kind":"sign","comment":"同意"}`, Status: 200, Contains: []string{`"stage":"signed"`, "同意"}},
			{Name: "return needs a comment", Method: "POST", URL: id + "/actions", As: as("许明"), Body: `{"kind":"office_return"}`, Status: 400, Contains: []string{`"field":"comment"`}},
			{Name: "signed cannot be edited", Method: "PUT", URL: id, As: as("邓雪"), Body: string(good), Header: ifMatch(a.Version + 1), Status: 409,
				Contains: []string{`"field":"stage"`}},
			{Name: "list by stage", URL: p + "/adjustments?stage=signed", As: as("许明"), Status: 200, Contains: []string{"调整办理时间"}},
			{Name: "bad stage", URL: p + "/adjustments?stage=limbo", As: as("许明"), Status: 400, Contains: []string{`"field":"stage"`}},
			{Name: "reviews", URL: p + "/reviews?open=true", As: as("许明"), Status: 200},
			{Name: "bad reviews flag", URL: p + "/reviews?open=perhaps", As: as("许明"), Status: 400, Contains: []string{`"field":"open"`}},
			{Name: "review done, bad id", Method: "POST", URL: p + "/reviews/x/done", As: as("邓雪"), Body: `{"note":"x"}`, Status: 400, Contains: []string{`"field":"id"`}},
			{Name: "no such review", Method: "POST", URL: p + "/reviews/999999/done", As: as("邓雪"), Body: `{"note":"x"}`, Status: 404},
			{Name: "unknown review group", Method: "PUT", URL: fmt.Sprintf("%s/reform-groups/%d", p, staffID(t, db, "周文")), As: as("周文"),
				Body: `{"groups":["party"]}`, Header: ifMatch(1), Status: 400, Contains: []string{`"field":"groups[0]"`}},
			{Name: "review groups only for the office", Method: "PUT", URL: fmt.Sprintf("%s/reform-groups/%d", p, staffID(t, db, "周文")), As: as("邓雪"),
				Body: `{"groups":["duty_list"]}`, Header: ifMatch(1), Status: 403},
			{Name: "set review groups", Method: "PUT", URL: fmt.Sprintf("%s/reform-groups/%d", p, staffID(t, db, "孙建国")), As: as("周文"),
				Body: `{"groups":["power_list","duty_list"]}`, Header: ifMatch(seats(t, s, "孙建国")), Status: 200, Contains: []string{"duty_list"}},
		})
		// A rejected edit (the adjustment is signed) changed nothing.
		got, err := s.Adjustment(ctx, org.System, a.ID)
		if err != nil || got.Stage != catalog.StageSigned || got.Title != "调整办理时间" || len(got.Trace) != 2 {
			t.Fatalf("after refused requests: %+v %v", got.Adjustment, err)
		}
	})
}

// ifMatch is the If-Match header naming a version.
func ifMatch(version int64) map[string]string {
	return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}
}

// seats is the version of a member's reform review groups.
func seats(t *testing.T, s *catdb.Service, name string) int64 {
	t.Helper()
	var id int64
	if err := s.DB().QueryRow(context.Background(), `SELECT id FROM staff WHERE name = ?`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReformSeats(context.Background(), org.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return got.Version
}

// streetHoursDraft is the adjustment a liaison of 青山街道 drafts to
// extend the hours of the street's first published item.
func streetHoursDraft(t *testing.T, db *store.DB, s *catdb.Service) catdb.AdjustmentInput {
	t.Helper()
	list, err := s.PublishedList(context.Background(), body(t, db, "330199001"), catdb.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range list {
		if v.Status != catalog.StatusPublished {
			continue
		}
		draft := v.ItemVersion.Clone()
		draft.ValidFrom = time.Time{}
		draft.Hours += "(延时服务)"
		return catdb.AdjustmentInput{Title: "调整办理时间", Reason: catalog.OperatingExperience,
			Bases:   []catalog.BasisDocument{{Title: "运行情况报告", Issued: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}},
			Changes: []catalog.Change{{Kind: catalog.ChangeItem, BaseCode: v.BaseCode, Draft: &draft}}}
	}
	t.Fatal("the street publishes no item")
	return catdb.AdjustmentInput{}
}
