package caseworkweb

import (
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/web/page"
)

// The public side (H12, V3, L7, C11): apply online, follow a case by its
// number and query code, answer a supplementation request, withdraw. The
// visitor acts as the anonymous applicant even when logged in as staff:
// the portal never registers a case in a staff member's name.

type applyPage struct {
	ItemID int64
	// Body, Item and Materials are masked as every public page is (L7):
	// the materials are chosen by their place in the item's list, so the
	// form carries no text of the list.
	Body      string
	Item      string
	Code      string
	Materials []publicMaterial
	Key       string // the idempotency key of this form: a second submit makes no second case
	// Diagram is the flow a case of the item runs on (H1), as inline SVG.
	Diagram    template.HTML
	Form       registerForm
	Deliveries []casework.Delivery
}

type publicMaterial struct {
	Index    int
	Name     string
	Required bool
	Checked  bool
}

func (h *pages) applyPage(w http.ResponseWriter, r *http.Request) {
	h.showApply(w, r, http.StatusOK, registerForm{Kind: string(casework.Person), Delivery: string(casework.OnlineSend)}, "", nil)
}

func (h *pages) showApply(w http.ResponseWriter, r *http.Request, status int, form registerForm, key string, failure error) {
	id := pathItem(r)
	body, it, err := h.svc.Online(r.Context(), id)
	if err == nil && it.Stars < h.svc.Rules().OnlineStars {
		err = apperr.New(apperr.Conflict, "item", "caseworkweb.this_item_cannot_be_applied_for")
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if key == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			h.Fail(w, r, err)
			return
		}
		key = hex.EncodeToString(b[:])
	}
	d := applyPage{ItemID: id, Body: ident.MaskText(body.Name), Item: ident.MaskText(it.Name), Code: it.Code, Key: key,
		Form:       form.withErrors(r, failure),
		Deliveries: []casework.Delivery{casework.OnlineSend, casework.Post, casework.PickUp}}
	for i, m := range it.Materials {
		d.Materials = append(d.Materials, publicMaterial{Index: i, Name: ident.MaskText(m.Name), Required: m.Required,
			Checked: slices.Contains(form.Materials, m.Name)})
	}
	f, err := h.svc.NewCaseFlow(r.Context(), body, it.Code)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	// The flow's names are the administrator's words, not personal data;
	// flow.SVG escapes them.
	d.Diagram = template.HTML(f.SVG(flow.DrawOptions{Lang: lang(r)})) //nolint:gosec // see above
	h.render(w, r, status, "apply", d, failure)
}

func pathItem(r *http.Request) int64 {
	n := int64(0)
	for _, c := range r.PathValue("item") {
		if c < '0' || c > '9' || n > 1<<40 {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func (h *pages) apply(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showApply(w, r, 0, registerForm{}, "", err)
		return
	}
	form := registerFormOf(r)
	key := strings.TrimSpace(r.PostForm.Get("key"))
	body, it, err := h.svc.Online(r.Context(), pathItem(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if form.Materials, err = materialsAt(it, r.PostForm["materials"]); err != nil {
		h.showApply(w, r, 0, form, key, err)
		return
	}
	app, err := applicationOf(form, it.Code)
	if err != nil {
		h.showApply(w, r, 0, form, key, err)
		return
	}
	app.BodyID = body.ID
	o, err := h.svc.Open(r.Context(), access.Principal{}, app, key)
	if err != nil {
		h.showApply(w, r, 0, form, key, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the query code, shown this once
	h.render(w, r, http.StatusCreated, "applied", o, nil)
}

// materialsAt reads the materials checked on the apply form, by their
// place in the item's list.
func materialsAt(it casework.Item, idx []string) ([]string, error) {
	var out []string
	for _, v := range idx {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(it.Materials) {
			return nil, apperr.Invalidf("materials", "caseworkweb.the_materials_chosen_are_not_the")
		}
		if !slices.Contains(out, it.Materials[i].Name) {
			out = append(out, it.Materials[i].Name)
		}
	}
	return out, nil
}

type followPage struct {
	Number, Code string
	View         *casework.PublicView
	Done         string // the notice after an action of the applicant's
	CanSupply    bool
	CanWithdraw  bool
	Missing      []string // what the last supplementation notice listed
	Documents    []DocumentLink
}

// followPage looks a case up by number and query code together (V3): a
// wrong code answers as an unknown number does.
func (h *pages) followPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.showFollow(w, r, 0, strings.TrimSpace(q.Get("number")), strings.TrimSpace(q.Get("code")), "", nil)
}

func (h *pages) showFollow(w http.ResponseWriter, r *http.Request, status int, number, code, done string, failure error) {
	w.Header().Set("Cache-Control", "no-store")
	d := followPage{Number: number, Code: code, Done: done}
	if number == "" && code == "" {
		h.render(w, r, http.StatusOK, "follow", d, failure)
		return
	}
	if code == "" {
		h.render(w, r, 0, "follow", d, apperr.Invalidf("code", "caseworkweb.the_query_code_is_required"))
		return
	}
	v, err := h.svc.Follow(r.Context(), number, code)
	if err != nil {
		h.render(w, r, 0, "follow", d, err)
		return
	}
	d.View = &v
	if h.docs != nil && !v.Withheld {
		if d.Documents, err = h.docs.ForApplicant(r.Context(), number, code); err != nil {
			h.render(w, r, 0, "follow", d, err)
			return
		}
	}
	if !v.Withheld {
		d.CanSupply = v.Status == flow.Supplementing
		d.CanWithdraw = !v.Status.Done()
		for _, n := range v.Notices {
			if n.Kind == casework.SupplementNotice {
				d.Missing = n.Materials
			}
		}
	}
	h.render(w, r, status, "follow", d, failure)
}

// publicAct is the applicant's own action: supplement (the materials the
// notice asked for) or withdraw, on the case as it is now.
func (h *pages) publicAct(action string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		number := r.PathValue("number")
		if err := page.ParseForm(w, r); err != nil {
			h.showFollow(w, r, 0, number, "", "", err)
			return
		}
		code := strings.TrimSpace(r.PostForm.Get("code"))
		a := casework.Action{ID: action, Materials: r.PostForm["materials"], Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
		if _, err := h.svc.ActAsApplicant(r.Context(), number, code, 0, a); err != nil {
			h.showFollow(w, r, 0, number, code, "", caseworkdb.PublicNotFound(err))
			return
		}
		h.showFollow(w, r, http.StatusOK, number, code, action, nil)
	}
}
