package catsearch

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/qingdan/qingdan/internal/store"
)

// MaxResults bounds how deep a query can page (50 pages of 20): nobody
// reads further, and it bounds the work of one request.
const MaxResults = 1000

// maxGrams bounds the gram probes per term; the substring check makes the
// answer exact whatever subset of grams is used.
const maxGrams = 6

// Filter selects items: a query (empty: browse in code order) within an
// optional body, category and unit.
type Filter struct {
	Query    Query
	BodyID   int64  // 0: every body
	Category string // "" or a catalog.Category value
	Unit     string // "" or a unit name exactly as listed
	Limit    int    // default 20, at most 100
	Offset   int    // Offset+Limit at most MaxResults
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

// Result is one page of hits. More says whether further hits follow; when
// it is false, Offset+len(Hits) is the exact total.
type Result struct {
	Hits []Hit
	More bool
}

const hitCols = `d.item_id, d.body_id, d.version_id, d.code, d.name, d.category, d.unit, d.standing`

// Search runs f on the reader q (*store.DB or *store.Tx).
//
// Ranking and how each part is read, so that no query sorts all its matches:
//
//   - a query with a code term (digits): codes by prefix, streamed from the
//     code index in code order — an exact code sorts first by itself;
//   - otherwise, first the items whose name starts with the first term,
//     streamed from the name index in name order; then every other match in
//     code order, streamed from the postings of the query's rarest gram
//     (ordered by code in its primary key), the other grams probed by key and
//     terms longer than two characters verified by substring.
//
// Each part stops once Offset+Limit+1 hits are known.
func Search(ctx context.Context, q store.Querier, f Filter) (Result, error) {
	if f.Limit <= 0 {
		f.Limit = 20
	}
	f.Limit = min(f.Limit, 100)
	f.Offset = min(max(f.Offset, 0), MaxResults-f.Limit)
	need := f.Offset + f.Limit + 1
	var hits []Hit
	var err error
	terms := f.Query.Terms
	codeTerm := -1
	for i, t := range terms {
		if t.Code && (codeTerm < 0 || len(t.Text) > len(terms[codeTerm].Text)) {
			codeTerm = i
		}
	}
	switch {
	case len(terms) == 0:
		where, args := f.filters(nil, nil)
		hits, err = queryHits(ctx, q, `SELECT `+hitCols+` FROM catsearch_docs d`+where+
			` ORDER BY d.code_norm, d.item_id LIMIT ?`, append(args, need)...)
	case codeTerm >= 0:
		p := terms[codeTerm].Text
		where, args := f.filters([]string{`d.code_norm >= ?`, `d.code_norm < ?`}, []any{p, prefixEnd(p)})
		where, args = verify(where, args, terms, codeTerm)
		hits, err = queryHits(ctx, q, `SELECT `+hitCols+` FROM catsearch_docs d`+where+
			` ORDER BY d.code_norm, d.item_id LIMIT ?`, append(args, need)...)
	default:
		hits, err = f.textSearch(ctx, q, need)
	}
	if err != nil {
		return Result{}, fmt.Errorf("catsearch: search: %w", err)
	}
	res := Result{More: len(hits) > f.Offset+f.Limit}
	if f.Offset < len(hits) {
		res.Hits = hits[f.Offset:min(len(hits), f.Offset+f.Limit)]
	}
	return res, nil
}

// textSearch is the name-prefix part, then the posting-stream part.
func (f Filter) textSearch(ctx context.Context, q store.Querier, need int) ([]Hit, error) {
	terms := f.Query.Terms
	first := terms[0].Text
	end := first + "\U0010FFFF" // above every continuation in byte order
	where, args := f.filters([]string{`d.name_norm >= ?`, `d.name_norm < ?`}, []any{first, end})
	where, args = verify(where, args, terms, 0)
	hits, err := queryHits(ctx, q, `SELECT `+hitCols+` FROM catsearch_docs d`+where+
		` ORDER BY d.name_norm, d.item_id LIMIT ?`, append(args, need)...)
	if err != nil || len(hits) >= need {
		return hits, err
	}
	// The rarest gram drives; every other gram is probed by key.
	type gram struct {
		g  string
		df int64
	}
	var (
		gs    []gram
		gargs []any
	)
	seen := map[string]bool{}
	for _, t := range terms {
		for _, g := range pickGrams(t.Grams) {
			if !seen[g] {
				seen[g] = true
				gs = append(gs, gram{g: g})
				gargs = append(gargs, g)
			}
		}
	}
	dfs := map[string]int64{}
	rows, err := q.Query(ctx, `SELECT gram, n FROM catsearch_df WHERE gram IN (`+strings.TrimSuffix(strings.Repeat("?,", len(gargs)), ",")+`)`, gargs...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var (
			g string
			n int64
		)
		if err := rows.Scan(&g, &n); err != nil {
			rows.Close()
			return nil, err
		}
		dfs[g] = n
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	for i := range gs {
		if gs[i].df = dfs[gs[i].g]; gs[i].df <= 0 {
			return hits, nil // a gram nobody has: nothing more matches
		}
	}
	slices.SortStableFunc(gs, func(a, b gram) int { return cmp.Compare(a.df, b.df) })
	conds := []string{`g.gram = ?`, `NOT (d.name_norm >= ? AND d.name_norm < ?)`}
	cargs := []any{gs[0].g, first, end}
	for _, o := range gs[1:] {
		conds = append(conds, `EXISTS (SELECT 1 FROM catsearch_grams x WHERE x.gram = ? AND x.code_norm = g.code_norm AND x.item_id = g.item_id)`)
		cargs = append(cargs, o.g)
	}
	// Terms of one or two characters are exactly their one gram; longer
	// ones need the substring check.
	for _, t := range terms {
		if len(t.Grams) > 1 {
			conds = append(conds, `d.haystack LIKE ?`)
			cargs = append(cargs, "%"+t.Text+"%")
		}
	}
	where, args = f.filters(conds, cargs)
	rest, err := queryHits(ctx, q, `SELECT `+hitCols+` FROM catsearch_grams g JOIN catsearch_docs d ON d.item_id = g.item_id`+where+
		` ORDER BY g.code_norm, g.item_id LIMIT ?`, append(args, need-len(hits))...)
	return append(hits, rest...), err
}

// verify adds a substring check for every term but the one at skip, which
// the caller's index range already guarantees.
func verify(where string, args []any, terms []Term, skip int) (string, []any) {
	for i, t := range terms {
		if i == skip {
			continue
		}
		if t.Code {
			where += ` AND d.code_norm LIKE ?`
			args = append(args, t.Text+"%")
			continue
		}
		where += ` AND d.haystack LIKE ?`
		args = append(args, "%"+t.Text+"%")
	}
	return where, args
}

// filters renders conds plus the body, category and unit filters as a WHERE
// clause.
func (f Filter) filters(conds []string, args []any) (string, []any) {
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
	if len(conds) == 0 {
		return "", args
	}
	return ` WHERE ` + strings.Join(conds, ` AND `), args
}

func queryHits(ctx context.Context, q store.Querier, query string, args ...any) ([]Hit, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.ItemID, &h.BodyID, &h.VersionID, &h.Code, &h.Name, &h.Category, &h.Unit, &h.Standing); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
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
