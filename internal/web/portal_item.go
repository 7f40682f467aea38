package web

import (
	"net/http"
	"strconv"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
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
	Stars       []bool // five marks, true for the earned ones
	Print       bool
}

type portalVersionRow struct {
	Version   int
	StatusKey string
	From, To  string
	Published string
	Hash      string
	URL       string
	Shown     bool
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

func (s *Server) portalItemData(it PortalItem, shown int) portalItemPage {
	v := it.Versions[shown]
	page := portalItemPage{Item: it, V: v, Guide: v.Guide(), Current: shown == 0,
		StandingKey: standingKey(it.Standing), Suspended: it.Standing == catalog.Suspended,
		Cancelled: it.Standing == catalog.Cancelled, CategoryKey: categoryKey(string(v.Category)),
		GuideURL: "/portal/items/" + strconv.FormatInt(it.ID, 10) + "/guide"}
	for i := range 5 {
		page.Stars = append(page.Stars, i < page.Guide.Stars)
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
		page.History = append(page.History, row)
	}
	return page
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
		return s.portalItemData(it, shown), nil
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
		page := s.portalItemData(it, 0)
		page.Print = true
		return page, nil
	})
}
