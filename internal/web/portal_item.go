package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// portalItemPage is the data of an item page: the version shown (the
// current one, or an earlier one chosen from the history) and the history
// with its dates (C9).
type portalItemPage struct {
	Item        PortalItem
	V           catalog.ItemVersion
	Guide       catalog.Guide
	Current     bool // V is the version in force now
	StandingKey string
	Suspended   bool
	Cancelled   bool
	CategoryKey string
	History     []portalVersionRow
	GuideURL    string
	// PublicGuideURL is the guide's address at the site's public URL, the
	// one its QR code holds, printed under the code for those who type it.
	PublicGuideURL string
	Stars          []bool // five marks, true for the earned ones
	// ApplyURL is the online application's page, for a listed item of
	// onlineStars or more (C11); empty otherwise.
	ApplyURL string
	Print    bool
	// Diff is what the shown version changed against the one before it
	// (C9: the old one stays visible, and what changed is said in words).
	Diff     []portalDiffRow
	Previous int // the number of the version before it (0: none)
}

// portalDiffRow is one changed element, its lines on each side marked
// where the other side lacks them.
type portalDiffRow struct {
	Label    string
	Old, New []catalog.Line
}

// onlineStars is the least star level of an item applied for online (C11;
// casework.DefaultRules' OnlineStars, which the apply page enforces).
const onlineStars = 3

type portalVersionRow struct {
	Version   int
	StatusKey string
	From, To  string
	Published string
	Hash      string
	URL       string
	Shown     bool
	Changed   string // the elements this version changed, in words
	First     bool   // the item's first version
}

func (s *Server) loadPortalItem(r *http.Request) (PortalItem, error) {
	id, err := pathID(r, "item")
	if err != nil {
		return PortalItem{}, err
	}
	it, err := s.deps.Portal.Item(r.Context(), id)
	if err != nil {
		return PortalItem{}, err
	}
	if len(it.Versions) == 0 {
		return PortalItem{}, apperr.NotFoundf("web.no_such_item")
	}
	return it, nil
}

// portalItemData is the page of version shown (an index of it.Versions,
// newest first), in the request's language.
func (s *Server) portalItemData(r *http.Request, it PortalItem, shown int) (portalItemPage, error) {
	en := httpx.LangFrom(r.Context()) == httpx.LangEn
	v := it.Versions[shown]
	guide := v.Guide()
	if en {
		guide = v.GuideEn()
	}
	page := portalItemPage{Item: it, V: v, Guide: guide, Current: shown == 0,
		StandingKey: standingKey(it.Standing), Suspended: it.Standing == catalog.Suspended,
		Cancelled: it.Standing == catalog.Cancelled, CategoryKey: categoryKey(string(v.Category)),
		GuideURL: "/portal/items/" + strconv.FormatInt(it.ID, 10) + "/guide", PublicGuideURL: s.guideURL(r, it.ID)}
	for i := range 5 {
		page.Stars = append(page.Stars, i < page.Guide.Stars)
	}
	if page.Current && it.Standing == catalog.Listed && page.Guide.Stars >= onlineStars {
		page.ApplyURL = "/portal/apply/" + strconv.FormatInt(it.ID, 10)
	}
	for i, h := range it.Versions {
		row := portalVersionRow{Version: h.Version, StatusKey: "portal.status." + string(h.Status),
			From: portalDate(h.ValidFrom), Hash: h.ContentHash, Shown: i == shown,
			URL: "/portal/items/" + strconv.FormatInt(it.ID, 10) + "/versions/" + strconv.Itoa(h.Version)}
		if i == 0 {
			row.URL = "/portal/items/" + strconv.FormatInt(it.ID, 10)
		}
		if h.ValidTo != nil {
			row.To = portalDate(*h.ValidTo)
		}
		if h.PublishedAt != nil {
			row.Published = portalDate(*h.PublishedAt)
		}
		if i+1 < len(it.Versions) {
			changes, err := catalog.Compare(it.Versions[i+1], h, en)
			if err != nil {
				return page, err
			}
			var names []string
			for _, c := range changes {
				names = append(names, say(en, c.Zh, c.En))
			}
			row.Changed = strings.Join(names, say(en, "、", ", "))
		} else {
			row.First = true
		}
		page.History = append(page.History, row)
	}
	if shown+1 < len(it.Versions) {
		prev := it.Versions[shown+1]
		page.Previous = prev.Version
		changes, err := catalog.Compare(prev, v, en)
		if err != nil {
			return page, err
		}
		for _, c := range changes {
			old, now := c.Marked()
			page.Diff = append(page.Diff, portalDiffRow{Label: say(en, c.Zh, c.En), Old: old, New: now})
		}
	}
	return page, nil
}

// say picks the Chinese or the English text.
func say(en bool, zh, eng string) string {
	if en {
		return eng
	}
	return zh
}

// portalItem shows the current version, or with {version} an earlier one,
// clearly marked as no longer in force.
func (s *Server) portalItem(w http.ResponseWriter, r *http.Request) {
	s.renderPortal(w, r, "portal_item", func() (any, error) {
		it, err := s.loadPortalItem(r)
		if err != nil {
			return nil, err
		}
		shown := 0
		if vs := r.PathValue("version"); vs != "" {
			n, err := strconv.Atoi(vs)
			shown = -1
			for i, v := range it.Versions {
				if err == nil && v.Version == n {
					shown = i
				}
			}
			if shown < 0 {
				return nil, apperr.NotFoundf("web.the_item_has_no_such_version")
			}
		}
		return s.portalItemData(r, it, shown)
	})
}

// portalGuide is the service guide of the current version (C10): every
// element in reading order, the complaint office and phone at the bottom,
// and the QR code linking back to this page. It prints on A4.
func (s *Server) portalGuide(w http.ResponseWriter, r *http.Request) {
	s.renderPortal(w, r, "portal_guide", func() (any, error) {
		it, err := s.loadPortalItem(r)
		if err != nil {
			return nil, err
		}
		page, err := s.portalItemData(r, it, 0)
		if err != nil {
			return nil, err
		}
		page.Print = true
		return page, nil
	})
}
