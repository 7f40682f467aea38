package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHome_H2_windowsToDoListHoldsApplicationsToAccept: an application
// registered at the window waits on the window staff's home page, linked to
// its case page, until it is accepted; a list liaison, who does not accept
// cases, is not shown it.
func TestHome_H2_windowsToDoListHoldsApplicationsToAccept(t *testing.T) {
	a, srv := demoApp(t)
	ctx := context.Background()
	var item string
	if err := a.db.QueryRow(ctx, `SELECT i.impl_code FROM catalog_items i JOIN bodies b ON b.id = i.body_id
		WHERE b.code = '330199' AND i.standing = 'listed' AND i.impl_code <> '' ORDER BY i.id LIMIT 1`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	window := bearer(t, a, "window1")
	status, body := call(t, srv, "POST", "/api/v1/cases", window,
		`{"item":"`+item+`","applicant":{"kind":"person","name":"李四","resident_id":"11010519491231002X","phone":"13800138000"}}`)
	if status != http.StatusCreated {
		t.Fatalf("register: %d %.300s", status, body)
	}
	i := strings.Index(body, `"number":"`)
	if i < 0 {
		t.Fatalf("no case number in %.300s", body)
	}
	number := body[i+len(`"number":"`):]
	number = number[:strings.IndexByte(number, '"')]

	todos := func(login string) string {
		p, err := a.auth.TokenPrincipal(ctx, bearer(t, a, login))
		if err != nil {
			t.Fatal(err)
		}
		ts, err := caseToDos(a.cases)(ctx, p, "zh")
		if err != nil {
			t.Fatalf("%s's to-do: %v", login, err)
		}
		var b strings.Builder
		for _, td := range ts {
			b.WriteString(td.Kind + " " + td.Title + " " + td.Link + "\n")
		}
		return b.String()
	}
	if got := todos("window1"); !strings.Contains(got, "待受理 "+number) || !strings.Contains(got, "/cases/"+number) {
		t.Errorf("window1's to-do lacks the application %s:\n%s", number, got)
	}
	// The step shows by its flow's name, not its id (#14 item 2).
	if got := todos("window1"); !strings.Contains(got, "窗口收件审查") || strings.Contains(got, "· received") {
		t.Errorf("window1's to-do names the step by its id:\n%s", got)
	}
	if got := todos("liaison1"); strings.Contains(got, number) {
		t.Errorf("liaison1, who accepts no case, is shown %s:\n%s", number, got)
	}
}

// TestHome_S8_unitsOpenRectificationsOnItsToDoList: the demo's report on
// 综合执法队 waits on its staff's home page, linked to the item, with its
// deadline and owner; another unit's staff are not shown it; once closed
// it is gone.
func TestHome_S8_unitsOpenRectificationsOnItsToDoList(t *testing.T) {
	a, srv := demoApp(t)
	ctx := context.Background()
	todos := func(login string) string {
		p, err := a.auth.TokenPrincipal(ctx, bearer(t, a, login))
		if err != nil {
			t.Fatal(err)
		}
		ts, err := rectificationToDos(a.sup, time.Now)(ctx, p, "zh")
		if err != nil {
			t.Fatalf("%s's to-do: %v", login, err)
		}
		var b strings.Builder
		for _, td := range ts {
			b.WriteString(td.Kind + " " + td.Title + " " + td.Link + " " + td.DueText + " " + td.Next + "\n")
		}
		return b.String()
	}
	got := todos("unit1")
	if !strings.Contains(got, "整改事项 综合执法队 · 群众反映") || !strings.Contains(got, "/supervision/rectifications/") || !strings.Contains(got, "李强") {
		t.Fatalf("unit1's to-do lacks the unit's rectification item:\n%s", got)
	}
	if other := todos("liaison1"); strings.Contains(other, "综合执法队") {
		t.Errorf("another unit's staff are shown it:\n%s", other)
	}
	link := got[strings.Index(got, "/supervision/rectifications/"):]
	link = link[:strings.IndexByte(link, ' ')]
	status, _ := call(t, srv, "POST", "/api/v1"+link+"/actions", bearer(t, a, "head_zhzf"),
		`{"action":"close","text":"已开通查询","evidence":["查询功能上线截图.png"]}`)
	if status != http.StatusOK {
		t.Fatalf("closing the item: %d", status)
	}
	if after := todos("unit1"); strings.Contains(after, "综合执法队") {
		t.Errorf("a closed item stays on the to-do list:\n%s", after)
	}
	if status, page := call(t, srv, "GET", "/", bearer(t, a, "head_bmfw"), ""); status != http.StatusOK || !strings.Contains(page, "窗口一次性告知单") {
		t.Errorf("the home page of the service centre's head lacks its item: %d", status)
	}
}
