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
//     (ordered by code in its primary key), the other grams probed by key.
//
// Each part reads in keyset batches and stops once Offset+Limit+1 hits are
// known. Terms are verified in Go, not by LIKE in SQL: PostgreSQL cannot
// estimate a '%…%' pattern and would trade the ordered index walk for a
// scan of the whole list.
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
		hits, err = stream{from: ` FROM catsearch_docs d`, key: "d.code_norm"}.run(ctx, q, f, need, nil)
	case codeTerm >= 0:
		p := terms[codeTerm].Text
		hits, err = stream{from: ` FROM catsearch_docs d`, key: "d.code_norm",
			conds: []string{`d.code_norm >= ?`, `d.code_norm < ?`}, args: []any{p, prefixEnd(p)}}.
			run(ctx, q, f, need, func(c cand) bool { return matches(c, terms) })
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

// cand is a row read before verification.
type cand struct {
	Hit
	codeNorm, nameNorm, haystack string
}

// matches verifies every term on a candidate: a code term as a prefix of
// the code, any other as a substring of the normalised text.
func matches(c cand, terms []Term) bool {
	for _, t := range terms {
		if t.Code {
			if !strings.HasPrefix(c.codeNorm, t.Text) {
				return false
			}
		} else if !strings.Contains(c.haystack, t.Text) {
			return false
		}
	}
	return true
}

// stream is one ordered walk over the docs: conditions and the index
// order key (then d.item_id).
type stream struct {
	from  string
	conds []string
	args  []any
	key   string // d.code_norm or d.name_norm
}

// run reads the walk in keyset batches until need verified hits are found
// or the walk ends.
func (s stream) run(ctx context.Context, q store.Querier, f Filter, need int, ok func(cand) bool) ([]Hit, error) {
	var (
		out     []Hit
		lastKey string
		lastID  int64
		started bool
	)
	batch := max(need, 50)
	for {
		conds, args := s.conds, s.args
		if started {
			conds = append(slices.Clone(conds), `(`+s.key+`, d.item_id) > (?, ?)`)
			args = append(slices.Clone(args), lastKey, lastID)
		}
		where, args := f.filters(conds, args)
		rows, err := q.Query(ctx, `SELECT `+hitCols+`, d.code_norm, d.name_norm, d.haystack`+s.from+where+
			` ORDER BY `+s.key+`, d.item_id LIMIT ?`, append(args, batch)...)
		if err != nil {
			return nil, err
		}
		n := 0
		for rows.Next() {
			var c cand
			if err := rows.Scan(&c.ItemID, &c.BodyID, &c.VersionID, &c.Code, &c.Name, &c.Category, &c.Unit, &c.Standing,
				&c.codeNorm, &c.nameNorm, &c.haystack); err != nil {
				rows.Close()
				return nil, err
			}
			n++
			started, lastID = true, c.ItemID
			if s.key == "d.name_norm" {
				lastKey = c.nameNorm
			} else {
				lastKey = c.codeNorm
			}
			if (ok == nil || ok(c)) && len(out) < need {
				out = append(out, c.Hit)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if len(out) >= need || n < batch {
			return out, nil
		}
		batch = min(batch*2, 2000) // sparse matches: read further per round
	}
}

// postingWalk walks the driver gram's postings in code order, in keyset
// batches of postings alone — an index-only range walk that both engines
// plan the same way (probing the other grams in SQL made PostgreSQL sort
// every posting, and JIT-compile the plan) — then reads the batch's docs by
// primary key with the filters and verifies every term in Go. Batches grow
// when matches are sparse.
//
// With a second gram the walk is over the intersection of both postings (a
// join on the full key, evaluated in the engine), for queries of several
// terms whose matches are not in the first postings of either.
func postingWalk(ctx context.Context, q store.Querier, f Filter, driver, second string, need int, ok func(cand) bool) ([]Hit, error) {
	var (
		out     []Hit
		lastKey string
		lastID  int64
		started bool
	)
	batch := max(need, 50)
	for {
		from := ` FROM catsearch_grams g`
		var args []any
		if second != "" {
			from += ` JOIN catsearch_grams y ON y.gram = ? AND y.code_norm = g.code_norm AND y.item_id = g.item_id`
			args = append(args, second)
		}
		conds := []string{`g.gram = ?`}
		args = append(args, driver)
		if started {
			conds = append(conds, `(g.code_norm, g.item_id) > (?, ?)`)
			args = append(args, lastKey, lastID)
		}
		rows, err := q.Query(ctx, `SELECT g.item_id, g.code_norm`+from+` WHERE `+strings.Join(conds, ` AND `)+
			` ORDER BY g.code_norm, g.item_id LIMIT ?`, append(args, batch)...)
		if err != nil {
			return nil, err
		}
		var ids []any
		for rows.Next() {
			if err := rows.Scan(&lastID, &lastKey); err != nil {
				rows.Close()
				return nil, err
			}
			started = true
			ids = append(ids, lastID)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			in, inArgs := inList(ids)
			where, dargs := f.filters([]string{`d.item_id IN ` + in}, inArgs)
			docs, err := readCands(ctx, q, `SELECT `+hitCols+`, d.code_norm, d.name_norm, d.haystack FROM catsearch_docs d`+where, dargs...)
			if err != nil {
				return nil, err
			}
			byID := make(map[int64]cand, len(docs))
			for _, c := range docs {
				byID[c.ItemID] = c
			}
			for _, id := range ids {
				if c, found := byID[id.(int64)]; found && ok(c) && len(out) < need {
					out = append(out, c.Hit)
				}
			}
		}
		if len(out) >= need || len(ids) < batch {
			return out, nil
		}
		batch = min(batch*2, 2000) // sparse matches: read further per round
	}
}

// maxCandidates bounds the intersection a multi-term query reads whole.
// A larger one means matches are dense, and walking the postings (the
// single-term path) finds a page quickly; the bound also stops the join early.
const maxCandidates = 300

// intersect returns the items holding both grams, in code order: one join of
// the two postings ranges on their full key, evaluated inside the engine
// (nested probes on SQLite, a merge or hash join on PostgreSQL), so only
// the intersection leaves the database. ok is false when it exceeds
// maxCandidates.
func intersect(ctx context.Context, q store.Querier, a, b string) (ids []any, ok bool, err error) {
	rows, err := q.Query(ctx, `SELECT x.item_id FROM catsearch_grams x
		JOIN catsearch_grams y ON y.gram = ? AND y.code_norm = x.code_norm AND y.item_id = x.item_id
		WHERE x.gram = ? ORDER BY x.code_norm, x.item_id LIMIT ?`, b, a, maxCandidates+1)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	if len(ids) > maxCandidates {
		return nil, false, nil
	}
	return ids, true, nil
}

// candidatesSearch serves a query of several terms from the intersection of
// its two rarest grams: reads those items' docs, verifies every term, and
// ranks name-prefix matches (by name) before the rest (by code).
func (f Filter) candidatesSearch(ctx context.Context, q store.Querier, ids []any, need int) ([]Hit, error) {
	terms := f.Query.Terms
	first := terms[0].Text
	var prefix, rest []cand
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		in, inArgs := inList(chunk)
		where, args := f.filters([]string{`d.item_id IN ` + in}, inArgs)
		docs, err := readCands(ctx, q, `SELECT `+hitCols+`, d.code_norm, d.name_norm, d.haystack FROM catsearch_docs d`+where, args...)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]cand, len(docs))
		for _, c := range docs {
			byID[c.ItemID] = c
		}
		for _, id := range chunk { // code order
			c, found := byID[id.(int64)]
			switch {
			case !found || !matches(c, terms):
			case strings.HasPrefix(c.nameNorm, first):
				prefix = append(prefix, c)
			default:
				rest = append(rest, c)
			}
		}
	}
	slices.SortStableFunc(prefix, func(a, b cand) int {
		return cmp.Or(strings.Compare(a.nameNorm, b.nameNorm), cmp.Compare(a.ItemID, b.ItemID))
	})
	var out []Hit
	for _, c := range append(prefix, rest...) {
		if len(out) == need {
			break
		}
		out = append(out, c.Hit)
	}
	return out, nil
}

func readCands(ctx context.Context, q store.Querier, query string, args ...any) ([]cand, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.ItemID, &c.BodyID, &c.VersionID, &c.Code, &c.Name, &c.Category, &c.Unit, &c.Standing,
			&c.codeNorm, &c.nameNorm, &c.haystack); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// textSearch picks the rarest grams, then serves a multi-term query from
// their intersection, or walks: the name-prefix part, then the postings
// of the rarest gram.
func (f Filter) textSearch(ctx context.Context, q store.Querier, need int) ([]Hit, error) {
	terms := f.Query.Terms
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
	in, inArgs := inList(gargs)
	rows, err := q.Query(ctx, `SELECT gram, n FROM catsearch_df WHERE gram IN `+in, inArgs...)
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
			return nil, nil // a gram nobody has: nothing matches
		}
	}
	slices.SortStableFunc(gs, func(a, b gram) int { return cmp.Compare(a.df, b.df) })
	// Grams of one term mostly occur together, so walking the rarest one
	// finds matches densely; separate terms may each be common and rare
	// together, so their postings are intersected.
	if len(terms) > 1 && len(gs) > 1 {
		ids, ok, err := intersect(ctx, q, gs[0].g, gs[1].g)
		if err != nil {
			return nil, err
		}
		if ok {
			return f.candidatesSearch(ctx, q, ids, need)
		}
	}
	first := terms[0].Text
	end := first + "\U0010FFFF" // above every continuation in byte order
	hits, err := stream{from: ` FROM catsearch_docs d`, key: "d.name_norm",
		conds: []string{`d.name_norm >= ?`, `d.name_norm < ?`}, args: []any{first, end}}.
		run(ctx, q, f, need, func(c cand) bool { return matches(c, terms) })
	if err != nil || len(hits) >= need {
		return hits, err
	}
	second := ""
	if len(terms) > 1 && len(gs) > 1 {
		second = gs[1].g
	}
	rest, err := postingWalk(ctx, q, f, gs[0].g, second, need-len(hits), func(c cand) bool {
		// Name-prefix matches were listed above.
		return !strings.HasPrefix(c.nameNorm, first) && matches(c, terms)
	})
	return append(hits, rest...), err
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

// inList renders "(?,…,?)" for args, padded to a power of two by
// repeating the last value — a repeat changes nothing in IN — so that a few
// statement texts serve every length and stay prepared (the store caches
// prepared reads by text). No args give "(NULL)", which matches nothing.
func inList(args []any) (string, []any) {
	if len(args) == 0 {
		return "(NULL)", nil
	}
	n := 1
	for n < len(args) {
		n *= 2
	}
	padded := make([]any, n)
	copy(padded, args)
	for i := len(args); i < n; i++ {
		padded[i] = args[len(args)-1]
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")", padded
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
