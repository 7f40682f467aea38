// Package ratingweb is how people reach good/bad ratings (好差评, L8): the
// public rates a completed case on the portal (number and query code), by
// the secret link of the completion message, or at the window's rating
// device (a kiosk page with big buttons and no login, started by the
// window's staff); the published statistics per unit and item; and the
// staff's pages of ratings, callbacks and appeals. Every route is
// registered with its policy:
//
//	rt := ratingdb.New(cases, ratingdb.Options{})
//	routes = append(routes, ratingweb.Routes(rt, frame)...)
package ratingweb

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"stats", "rate", "thanks", "kiosk", "kiosks", "list", "rating", "surveys", "survey", "answer", "error"}

// cst is China Standard Time, the users' clock whatever the server's zone.
var cst = time.FixedZone("CST", 8*3600)

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

type handlers struct {
	*page.Kit
	svc       *ratingdb.Service
	cases     *caseworkdb.Service
	now       func() time.Time
	publicURL string // the portal's address, for the survey links
}

var hf = func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

// Routes returns the rating pages with their policies; publicURL is the
// address the public reaches the site at (the survey links).
func Routes(svc *ratingdb.Service, cases *caseworkdb.Service, frame page.Frame, publicURL string) ([]httpx.Route, error) {
	if svc == nil || cases == nil || frame == nil {
		return nil, fmt.Errorf("ratingweb: Routes needs the services and a frame")
	}
	ps, err := page.Parse(templateFS, messages, funcs(), pageNames...)
	if err != nil {
		return nil, fmt.Errorf("ratingweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: frame, Pages: ps, Messages: messages, What: "rating page"}, svc: svc, cases: cases, now: time.Now, publicURL: publicURL}
	pub := httpx.Policy{Public: true}
	pubWrite := httpx.Policy{Public: true, Write: true}
	window := []access.Role{access.RoleWindow}
	scope := func(r *http.Request) (string, error) {
		id := page.PathID(r)
		if id <= 0 {
			return "", apperr.NotFoundf("ratingweb.no_such_rating")
		}
		return svc.Path(r.Context(), id)
	}
	kioskScope := func(r *http.Request) (string, error) {
		id := page.PathID(r)
		if id <= 0 {
			return "", apperr.NotFoundf("ratingweb.no_such_rating_device")
		}
		return svc.KioskPath(r.Context(), id)
	}
	supervisor := []access.Role{access.RoleSupervisor}
	surveyScope := func(r *http.Request) (string, error) {
		id := page.PathID(r)
		if id <= 0 {
			return "", apperr.NotFoundf("ratingweb.no_such_survey")
		}
		return svc.SurveyPath(r.Context(), id)
	}
	return append([]httpx.Route{
		{Pattern: "GET /portal/ratings", Policy: pub, Handler: hf(h.statsPage), Nav: &httpx.Nav{Label: "nav.ratings_public", Order: 6}},
		{Pattern: "GET /portal/rate", Policy: pub, Handler: hf(h.ratePage)},
		{Pattern: "POST /portal/rate", Policy: pubWrite, Handler: hf(h.rate)},
		{Pattern: "GET /portal/rate/{token}", Policy: pub, Handler: hf(h.linkPage)},
		{Pattern: "POST /portal/rate/{token}", Policy: pubWrite, Handler: hf(h.rateByLink)},
		{Pattern: "GET /kiosk/{token}", Policy: pub, Handler: hf(h.kioskPage)},
		{Pattern: "POST /kiosk/{token}", Policy: pubWrite, Handler: hf(h.rateAtKiosk)},

		{Pattern: "GET /ratings", Handler: hf(h.listPage), Nav: &httpx.Nav{Label: "nav.ratings", Order: 62}},
		{Pattern: "GET /ratings/{id}", Policy: httpx.Policy{Scope: scope}, Handler: hf(h.ratingPage)},
		{Pattern: "POST /ratings/{id}", Policy: httpx.Policy{Write: true, Scope: scope}, Handler: hf(h.act)},
		{Pattern: "GET /ratings/kiosks", Policy: httpx.Policy{Roles: window}, Handler: hf(h.kiosksPage)},
		{Pattern: "POST /ratings/kiosks", Policy: httpx.Policy{Roles: window, Write: true}, Handler: hf(h.startKiosk)},
		{Pattern: "POST /ratings/kiosks/{id}/end", Policy: httpx.Policy{Roles: window, Write: true, Scope: kioskScope}, Handler: hf(h.endKiosk)},
		{Pattern: "GET /ratings/surveys", Policy: httpx.Policy{Roles: supervisor}, Handler: hf(h.surveysPage)},
		{Pattern: "POST /ratings/surveys", Policy: httpx.Policy{Roles: supervisor, Write: true}, Handler: hf(h.sendSurvey)},
		{Pattern: "GET /ratings/surveys/{id}", Policy: httpx.Policy{Roles: supervisor, Scope: surveyScope}, Handler: hf(h.surveyPage)},
		{Pattern: "GET /survey/{token}", Policy: pub, Handler: hf(h.answerPage)},
		{Pattern: "POST /survey/{token}", Policy: pubWrite, Handler: hf(h.answer)},
	}, h.apiRoutes(scope)...), nil
}

// funcs are the templates' functions beside "t".
func funcs() template.FuncMap {
	return template.FuncMap{
		"when":   when,
		"micros": store.FromMicros,
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd arguments")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"levels": func() []rating.Level { return rating.Levels },
		"level":  func(lang string, l rating.Level) string { return l.In(lang) },
		"pct":    func(t rating.Tally) string { return strconv.FormatFloat(t.SatisfactionRate(), 'f', 1, 64) + "%" },
		"overdue": func(r rating.Rating) bool {
			return r.Callback.Overdue(time.Now())
		},
	}
}

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

type statsPage struct {
	Stats  ratingdb.Stats
	Recent []rating.Public
}

// statsPage is the published statistics (L8: results are published): no
// personal data, comments masked (L7, O4).
func (h *handlers) statsPage(w http.ResponseWriter, r *http.Request) {
	st, err := h.svc.Stats(r.Context(), "/")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	recent, err := h.svc.Recent(r.Context(), "/", 20)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	for i := range st.Units {
		ident.MaskFields(&st.Units[i])
	}
	for i := range st.Items {
		ident.MaskFields(&st.Items[i])
	}
	h.Render(w, r, http.StatusOK, "stats", statsPage{Stats: st, Recent: recent}, nil)
}

// ratePage is the form a rating is given with, on the portal (Number and
// Code), by a link (Token) or at a kiosk.
type ratePage struct {
	Action       string // where the form posts
	Number, Code string
	Token        string
	Item         string
	Found        bool // the case was found: show the levels
	Completed    bool
	Rated        bool
	Level        rating.Level
	Comment      string
}

func (h *handlers) ratePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.showRate(w, r, http.StatusOK, strings.TrimSpace(q.Get("number")), strings.TrimSpace(q.Get("code")), ratePage{}, nil)
}

func (h *handlers) showRate(w http.ResponseWriter, r *http.Request, status int, number, code string, d ratePage, failure error) {
	w.Header().Set("Cache-Control", "no-store")
	d.Action, d.Number, d.Code = "/portal/rate", number, code
	if number != "" || code != "" {
		if code == "" {
			h.Render(w, r, http.StatusBadRequest, "rate", d, apperr.Invalidf("code", "ratingweb.the_query_code_is_required"))
			return
		}
		v, err := h.cases.Follow(r.Context(), number, code)
		if err != nil {
			h.Render(w, r, 0, "rate", d, err)
			return
		}
		d.Found, d.Completed, d.Item = true, v.Status == flow.Completed, v.Item
		if d.Rated, err = h.svc.Rated(r.Context(), v.Number); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	h.Render(w, r, status, "rate", d, failure)
}

// levelOf reads the level and comment of a rating form.
func levelOf(r *http.Request) (rating.Level, string, error) {
	l, err := rating.ParseLevel("level", r.PostForm.Get("level"))
	return l, r.PostForm.Get("comment"), err
}

type thanksPage struct {
	Rating rating.Rating
	Back   string
	Kiosk  bool // the next person's form, not a way back
}

func (h *handlers) rate(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	number, code := strings.TrimSpace(r.PostForm.Get("number")), strings.TrimSpace(r.PostForm.Get("code"))
	var rt rating.Rating
	var l rating.Level
	var comment string
	if err == nil {
		if l, comment, err = levelOf(r); err == nil {
			rt, err = h.svc.RateOnPortal(r.Context(), number, code, l, comment)
		}
	}
	if err != nil {
		h.showRate(w, r, 0, number, code, ratePage{Level: l, Comment: comment}, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.Render(w, r, http.StatusCreated, "thanks", thanksPage{Rating: rt, Back: "/portal/cases"}, nil)
}

func (h *handlers) linkPage(w http.ResponseWriter, r *http.Request) {
	h.showLink(w, r, http.StatusOK, ratePage{}, nil)
}

func (h *handlers) showLink(w http.ResponseWriter, r *http.Request, status int, d ratePage, failure error) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.PathValue("token")
	inv, err := h.svc.Invitation(r.Context(), token)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d.Action, d.Token, d.Number, d.Found, d.Completed = "/portal/rate/"+token, token, inv.Case, true, true
	if d.Rated, err = h.svc.Rated(r.Context(), inv.Case); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, status, "rate", d, failure)
}

func (h *handlers) rateByLink(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	var rt rating.Rating
	var l rating.Level
	var comment string
	if err == nil {
		if l, comment, err = levelOf(r); err == nil {
			rt, err = h.svc.RateByLink(r.Context(), r.PathValue("token"), l, comment)
		}
	}
	if err != nil {
		h.showLink(w, r, 0, ratePage{Level: l, Comment: comment}, err)
		return
	}
	h.Render(w, r, http.StatusCreated, "thanks", thanksPage{Rating: rt, Back: "/portal"}, nil)
}

type kioskPage struct {
	Token   string
	Kiosk   ratingdb.Kiosk
	Number  string
	Comment string
}

func (h *handlers) kioskPage(w http.ResponseWriter, r *http.Request) {
	h.showKiosk(w, r, http.StatusOK, kioskPage{}, nil)
}

func (h *handlers) showKiosk(w http.ResponseWriter, r *http.Request, status int, d kioskPage, failure error) {
	w.Header().Set("Cache-Control", "no-store")
	d.Token = r.PathValue("token")
	k, err := h.svc.KioskByToken(r.Context(), nil, d.Token)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	d.Kiosk = k
	h.Render(w, r, status, "kiosk", d, failure)
}

// rateAtKiosk: the level is the big button pressed; the next person gets
// a fresh form (one rating per visit).
func (h *handlers) rateAtKiosk(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	number := strings.TrimSpace(r.PostForm.Get("number"))
	var rt rating.Rating
	var comment string
	if err == nil {
		var l rating.Level
		if l, comment, err = levelOf(r); err == nil {
			rt, err = h.svc.RateAtKiosk(r.Context(), r.PathValue("token"), number, l, comment)
		}
	}
	if err != nil {
		h.showKiosk(w, r, 0, kioskPage{Number: number, Comment: comment}, err)
		return
	}
	h.Render(w, r, http.StatusCreated, "thanks", thanksPage{Rating: rt, Back: "/kiosk/" + r.PathValue("token"), Kiosk: true}, nil)
}

type listPage struct {
	Show       string
	Ratings    []rating.Rating
	Window     bool
	Supervisor bool
	Now        time.Time
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request) {
	show := r.URL.Query().Get("show")
	var f ratingdb.Filter
	switch show {
	case "bad":
		f.Bad = true
	case "due":
		f.Callback = "due"
	case "appeals":
		f.Appeal = "pending"
	default:
		show = ""
	}
	p := principal(r)
	rs, err := h.svc.List(r.Context(), p, f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "list", listPage{Show: show, Ratings: rs, Window: p.Has(access.RoleWindow), Supervisor: p.Has(access.RoleSupervisor)}, nil)
}

type ratingPage struct {
	Rating     rating.Rating
	Supervisor bool
	Overdue    bool
}

func (h *handlers) showRating(w http.ResponseWriter, r *http.Request, failure error) {
	p := principal(r)
	rt, err := h.svc.Get(r.Context(), p, page.PathID(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "rating", ratingPage{Rating: rt, Supervisor: p.Has(access.RoleSupervisor), Overdue: rt.Callback.Overdue(h.now())}, failure)
}

func (h *handlers) ratingPage(w http.ResponseWriter, r *http.Request) { h.showRating(w, r, nil) }

// act is every staff action on a rating: a callback step (call, verify,
// close), the unit's appeal, the supervisor's decision (uphold, reject).
// The form carries the version it was based on.
func (h *handlers) act(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		var base int64
		base, err = strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("version")), 10, 64)
		if err != nil || base <= 0 {
			err = apperr.Invalidf("version", "ratingweb.the_form_carries_no_version_reload")
		} else {
			p, id, f := principal(r), page.PathID(r), r.PostForm
			switch a := f.Get("action"); a {
			case "call", "verify", "close":
				_, err = h.svc.Callback(r.Context(), p, id, base, rating.Step{Action: a, Text: f.Get("text"),
					Founded: f.Get("founded") == "yes", Evidence: f.Get("evidence")})
			case "appeal":
				_, err = h.svc.Appeal(r.Context(), p, id, base, rating.AppealKind(f.Get("kind")), f.Get("reason"))
			case "uphold", "reject":
				_, err = h.svc.DecideAppeal(r.Context(), p, id, base, a == "uphold", f.Get("opinion"))
			default:
				err = apperr.Invalidf("action", "ratingweb.unknown_action")
			}
		}
	}
	if err != nil {
		h.showRating(w, r, err)
		return
	}
	page.Done(w, r, "/ratings/"+strconv.FormatInt(page.PathID(r), 10), "acted")
}

type kiosksPage struct {
	Kiosks  []ratingdb.Kiosk
	Started string // the new device's address, shown once
}

func (h *handlers) kiosksPage(w http.ResponseWriter, r *http.Request) {
	h.showKiosks(w, r, http.StatusOK, "", nil)
}

func (h *handlers) showKiosks(w http.ResponseWriter, r *http.Request, status int, started string, failure error) {
	ks, err := h.svc.Kiosks(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.Render(w, r, status, "kiosks", kiosksPage{Kiosks: ks, Started: started}, failure)
}

func (h *handlers) startKiosk(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showKiosks(w, r, 0, "", err)
		return
	}
	token, _, err := h.svc.StartKiosk(r.Context(), principal(r))
	if err != nil {
		h.showKiosks(w, r, 0, "", err)
		return
	}
	h.showKiosks(w, r, http.StatusCreated, "/kiosk/"+token, nil)
}

func (h *handlers) endKiosk(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		err = h.svc.EndKiosk(r.Context(), principal(r), page.PathID(r))
	}
	if err != nil {
		h.showKiosks(w, r, 0, "", err)
		return
	}
	page.Done(w, r, "/ratings/kiosks", "ended")
}
