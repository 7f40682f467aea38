package catweb_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// TestCatalogAPI_H1_draftEditsAndSeatsNeedTheirVersion: GET of an
// adjustment answers its version as ETag; PUT answers 428 without If-Match
// and 409 with the adjustment as stored now when stale (the trial:
// two PUTs of one draft with the same ETag at once, one saved); a step
// with a stale If-Match is refused. The reform review groups of a member
// work the same way.
func TestCatalogAPI_H1_draftEditsAndSeatsNeedTheirVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s, as := catalogPages(t, db)
		in := streetHoursDraft(t, db, s)
		titled := func(title string) string {
			mine := in
			mine.Title = title
			b, err := json.Marshal(mine)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		p := api.Prefix + "/catalog"
		res, out := webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: p + "/adjustments", As: as("邓雪"), Body: titled("调整办理时间")})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", res.StatusCode, out)
		}
		var a catdb.Adjustment
		if err := json.Unmarshal([]byte(out), &a); err != nil {
			t.Fatal(err)
		}
		url := fmt.Sprintf("%s/adjustments/%d", p, a.ID)
		for trial := range 5 {
			res, _ := webtest.Do(t, e.Server, webtest.Scenario{URL: url, As: as("邓雪")})
			etag := res.Header.Get("ETag")
			if res.StatusCode != 200 || etag == "" {
				t.Fatalf("GET: %d ETag %q", res.StatusCode, etag)
			}
			titles := [2]string{fmt.Sprintf("甲%d", trial), fmt.Sprintf("乙%d", trial)}
			var codes [2]int
			var bodies [2]string
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, out := webtest.Do(t, e.Server, webtest.Scenario{Method: "PUT", URL: url, As: as("邓雪"),
						Header: map[string]string{"If-Match": etag}, Body: titled(titles[i])})
					codes[i], bodies[i] = res.StatusCode, out
				}()
			}
			wg.Wait()
			won := -1
			for i, c := range codes {
				if c == http.StatusOK {
					won = i
				}
			}
			if won < 0 || codes[1-won] != http.StatusConflict {
				t.Fatalf("trial %d: two PUTs with ETag %s answered %v", trial, etag, codes)
			}
			var refused struct {
				Field   string
				Current catdb.Adjustment
			}
			if err := json.Unmarshal([]byte(bodies[1-won]), &refused); err != nil {
				t.Fatal(err)
			}
			stored, err := s.Adjustment(t.Context(), org.System, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Title != titles[won] || refused.Field != "version" || refused.Current.Title != titles[won] || refused.Current.Version != stored.Version {
				t.Fatalf("trial %d: stored %q; the refused PUT was told %+v", trial, stored.Title, refused)
			}
		}
		stored, err := s.Adjustment(t.Context(), org.System, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		now, stale := fmt.Sprintf(`"%d"`, stored.Version), fmt.Sprintf(`"%d"`, stored.Version-1)
		office := staffID(t, db, "许明")
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "PUT without If-Match", Method: "PUT", URL: url, As: as("邓雪"), Body: titled("x"), Status: http.StatusPreconditionRequired,
				Contains: []string{`"field":"version"`}},
			{Name: "sign on a stale version", Method: "POST", URL: url + "/actions", As: as("许明"), Header: map[string]string{"If-Match": stale},
				Body: `{"kind":"sign"}`, Status: http.StatusConflict, Contains: []string{`"field":"version"`, `"stage":"drafting"`}},
			{Name: "sign on the version shown", Method: "POST", URL: url + "/actions", As: as("许明"), Header: map[string]string{"If-Match": now},
				Body: `{"kind":"sign"}`, Status: http.StatusOK, Contains: []string{`"stage":"signed"`},
				Check: func(t *testing.T, res *http.Response, _ string) {
					if res.Header.Get("ETag") != fmt.Sprintf(`"%d"`, stored.Version+1) {
						t.Errorf("ETag after signing %s", res.Header.Get("ETag"))
					}
				}},
			{Name: "seats", URL: fmt.Sprintf("%s/reform-groups/%d", p, office), As: as("赵敏"), Status: 200, Contains: []string{`"groups":[]`, `"version":1`},
				Check: func(t *testing.T, res *http.Response, _ string) {
					if res.Header.Get("ETag") != `"1"` {
						t.Errorf("seats ETag %s", res.Header.Get("ETag"))
					}
				}},
			{Name: "seats set without If-Match", Method: "PUT", URL: fmt.Sprintf("%s/reform-groups/%d", p, office), As: as("赵敏"),
				Body: `{"groups":["power_list"]}`, Status: http.StatusPreconditionRequired},
			{Name: "seats set", Method: "PUT", URL: fmt.Sprintf("%s/reform-groups/%d", p, office), As: as("赵敏"), Header: map[string]string{"If-Match": `"1"`},
				Body: `{"groups":["power_list"]}`, Status: http.StatusOK, Contains: []string{`"groups":["power_list"]`, `"version":2`}},
			{Name: "seats set from the old view", Method: "PUT", URL: fmt.Sprintf("%s/reform-groups/%d", p, office), As: as("赵敏"), Header: map[string]string{"If-Match": `"1"`},
				Body: `{"groups":["duty_list"]}`, Status: http.StatusConflict, Contains: []string{`"current":{`, `"groups":["power_list"]`}},
			{Name: "openapi", URL: api.Prefix + "/openapi.json", Status: 200,
				Check: func(t *testing.T, _ *http.Response, body string) {
					if !strings.Contains(body, `"/api/v1/catalog/reform-groups/{id}"`) || !strings.Contains(body, `"If-Match"`) {
						t.Error("the OpenAPI document lacks the reform groups' GET or If-Match")
					}
				}},
		})
	})
}
