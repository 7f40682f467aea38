package catsearch

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/store"
)

// CountCap bounds the counted total: beyond it the portal says "more than
// 1000", and a query matching half the list does not count all of it.
const CountCap = 1000

// maxGrams bounds the gram lookups per term; the substring check makes the
// answer exact whatever subset of grams is intersected.
const maxGrams = 6

// Filter selects items: a query (empty: browse in code order) within an
// optional body, category and unit.
type Filter struct {
	Query    Query
	BodyID   int64  // 0: every body
	Category string // "" or a catalog.Category value
	Unit     string // "" or a unit name exactly as listed
	Limit    int    // default 20, at most 100
	Offset   int
}

// Hit is one item found.
type Hit struct {
	ItemID    int64
	BodyID    int64
	VersionID int64
	Code      string
	Name      string
	Category  string
	Unit      string
	Standing  string
}

// Result is one page of hits and the total (at most CountCap; Capped when
// there are more).
type Result struct {
	Hits   []Hit
	Total  int
	Capped bool
}

// Search runs f on the reader q (*store.DB or *store.Tx).
func Search(ctx context.Context, q store.Querier, f Filter) (Result, error) {
	if f.Limit <= 0 {
		f.Limit = 20
	}
	f.Limit = min(f.Limit, 100)
	f.Offset = max(f.Offset, 0)
	from, where, args := f.sql()
	var res Result
	order := ` ORDER BY d.code_norm, d.item_id`
	var orderArgs []any
	if !f.Query.Empty() {
		// Rank by the first term: exact code, name prefix, name contains, rest.
		t := f.Query.Terms[0].Text
		order = ` ORDER BY CASE WHEN d.code_norm = ? THEN 0 WHEN d.name_norm LIKE ? THEN 1 WHEN d.name_norm LIKE ? THEN 2 ELSE 3 END, d.code_norm, d.item_id`
		orderArgs = []any{t, t + "%", "%" + t + "%"}
	}
	list := `SELECT d.item_id, d.body_id, d.version_id, d.code, d.name, d.category, d.unit, d.standing` +
		from + where + order + ` LIMIT ? OFFSET ?`
	rows, err := q.Query(ctx, list, append(append(append([]any{}, args...), orderArgs...), f.Limit, f.Offset)...)
	if err != nil {
		return res, fmt.Errorf("catsearch: search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.ItemID, &h.BodyID, &h.VersionID, &h.Code, &h.Name, &h.Category, &h.Unit, &h.Standing); err != nil {
			return res, fmt.Errorf("catsearch: search: %w", err)
		}
		res.Hits = append(res.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("catsearch: search: %w", err)
	}
	// A first page that is not full holds everything: no count query.
	if f.Offset == 0 && len(res.Hits) < f.Limit {
		res.Total = len(res.Hits)
		return res, nil
	}
	count := `SELECT count(*) FROM (SELECT 1` + from + where + ` LIMIT ?) x`
	if err := q.QueryRow(ctx, count, append(args, CountCap+1)...).Scan(&res.Total); err != nil {
		return res, fmt.Errorf("catsearch: count: %w", err)
	}
	if res.Total > CountCap {
		res.Total, res.Capped = CountCap, true
	}
	return res, nil
}

// sql builds the FROM (with the candidate sets as CTE-free subqueries) and
// WHERE clauses of f with their arguments, in order.
func (f Filter) sql() (from, where string, args []any) {
	var conds []string
	for _, t := range f.Query.Terms {
		// Candidates: items holding the term's grams, plus, for a code-like
		// term, items whose code starts with it.
		var sub []string
		for _, g := range pickGrams(t.Grams) {
			sub = append(sub, `SELECT item_id FROM catsearch_grams WHERE gram = ?`)
			args = append(args, g)
		}
		cand := strings.Join(sub, ` INTERSECT `)
		verify := `d.haystack LIKE ?`
		vargs := []any{"%" + t.Text + "%"}
		if t.Code {
			cand += ` UNION SELECT item_id FROM catsearch_docs WHERE code_norm >= ? AND code_norm < ?`
			args = append(args, t.Text, prefixEnd(t.Text))
			verify = `(` + verify + ` OR d.code_norm LIKE ?)`
			vargs = append(vargs, t.Text+"%")
		}
		conds = append(conds, `d.item_id IN (`+cand+`)`)
		conds = append(conds, verify)
		args = append(args, vargs...)
	}
	if f.BodyID != 0 {
		conds = append(conds, `d.body_id = ?`)
		args = append(args, f.BodyID)
	}
	if f.Category != "" {
		conds = append(conds, `d.category = ?`)
		args = append(args, f.Category)
	}
	if f.Unit != "" {
		conds = append(conds, `d.unit = ?`)
		args = append(args, f.Unit)
	}
	from = ` FROM catsearch_docs d`
	if len(conds) > 0 {
		where = ` WHERE ` + strings.Join(conds, ` AND `)
	}
	return from, where, args
}

// pickGrams chooses at most maxGrams grams spread over the term: first and
// last always, so both ends are anchored.
func pickGrams(gs []string) []string {
	if len(gs) <= maxGrams {
		return gs
	}
	out := make([]string, 0, maxGrams)
	for i := 0; i < maxGrams; i++ {
		out = append(out, gs[i*(len(gs)-1)/(maxGrams-1)])
	}
	return out
}

// Count is one facet value and how many items have it.
type Count struct {
	Value string
	N     int
}

// Facets counts a body's indexed items by category and by unit, for the
// browse page.
func Facets(ctx context.Context, q store.Querier, bodyID int64) (categories, units []Count, err error) {
	for _, c := range []struct {
		col  string
		into *[]Count
	}{{"category", &categories}, {"unit", &units}} {
		rows, err := q.Query(ctx, `SELECT `+c.col+`, count(*) FROM catsearch_docs WHERE body_id = ? GROUP BY `+c.col+` ORDER BY `+c.col, bodyID)
		if err != nil {
			return nil, nil, fmt.Errorf("catsearch: facets: %w", err)
		}
		for rows.Next() {
			var n Count
			if err := rows.Scan(&n.Value, &n.N); err != nil {
				rows.Close()
				return nil, nil, fmt.Errorf("catsearch: facets: %w", err)
			}
			*c.into = append(*c.into, n)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("catsearch: facets: %w", err)
		}
	}
	return categories, units, nil
}

// BodyCount is how many items one body's list has in the index.
type BodyCount struct {
	BodyID int64
	N      int
}

// Bodies counts the indexed items of every body that has any.
func Bodies(ctx context.Context, q store.Querier) ([]BodyCount, error) {
	rows, err := q.Query(ctx, `SELECT body_id, count(*) FROM catsearch_docs GROUP BY body_id ORDER BY body_id`)
	if err != nil {
		return nil, fmt.Errorf("catsearch: bodies: %w", err)
	}
	defer rows.Close()
	var out []BodyCount
	for rows.Next() {
		var b BodyCount
		if err := rows.Scan(&b.BodyID, &b.N); err != nil {
			return nil, fmt.Errorf("catsearch: bodies: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catsearch: bodies: %w", err)
	}
	return out, nil
}
