package catsearch

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/store"
)

// Doc is what the index holds of one item: its current published version.
// The publisher fills it from catalog.ItemVersion inside the publication
// transaction (see FromVersion).
type Doc struct {
	BodyID    int64  // the body whose list holds the item
	ItemID    int64  // the item's row (one per body and base code); the key
	VersionID int64  // the published version now in force
	Code      string // 基本编码, matched by prefix
	Name      string // 事项名称
	Category  string // catalog.Category value ("licensing" …)
	// Keywords are extra search words (abbreviations, former names). Aliases
	// from the built-in table are added to them at indexing.
	Keywords []string
	Unit     string // 责任处(科)室
	Standing string // catalog.Standing value: listed, suspended or cancelled
}

// FromVersion builds the Doc of a published version. standing is what the
// version records (a suspension version stands suspended, C7).
func FromVersion(bodyID, itemID, versionID int64, v catalog.ItemVersion, standing catalog.Standing, keywords []string) Doc {
	return Doc{
		BodyID: bodyID, ItemID: itemID, VersionID: versionID,
		Code: v.BaseCode, Name: v.Name, Category: string(v.Category),
		Keywords: keywords, Unit: v.Unit, Standing: string(standing),
	}
}

// row is a Doc as stored.
type row struct {
	Doc
	codeNorm, nameNorm, keywords, haystack string
	grams                                  []string
}

// validate refuses a Doc the index could not serve; it is a wiring bug, not
// user input, so a plain error suffices.
func (d Doc) validate() error {
	switch {
	case d.ItemID <= 0 || d.BodyID <= 0 || d.VersionID <= 0:
		return fmt.Errorf("catsearch: doc %q needs body, item and version IDs", d.Code)
	case strings.TrimSpace(d.Code) == "" || strings.TrimSpace(d.Name) == "":
		return fmt.Errorf("catsearch: item %d needs a code and a name", d.ItemID)
	case !catalog.Category(d.Category).Valid():
		return fmt.Errorf("catsearch: item %d: unknown category %q", d.ItemID, d.Category)
	}
	switch catalog.Standing(d.Standing) {
	case catalog.Listed, catalog.Suspended, catalog.Cancelled:
	default:
		return fmt.Errorf("catsearch: item %d: standing %q is not public", d.ItemID, d.Standing)
	}
	return nil
}

// prepare derives the stored columns and grams of d. The texts are
// indexed and stored as the public sees them (L7, O4: ident.MaskText), so
// no search shows, or finds an item by, personal data typed into it.
func (d Doc) prepare() row {
	d.Name, d.Unit = ident.MaskText(d.Name), ident.MaskText(d.Unit)
	r := row{Doc: d, codeNorm: Normalize(d.Code), nameNorm: Normalize(d.Name)}
	var kws []string
	for _, k := range d.Keywords {
		if k = strings.TrimSpace(ident.MaskText(k)); k != "" {
			kws = append(kws, k)
		}
	}
	normKws := make([]string, len(kws))
	for i, k := range kws {
		normKws[i] = Normalize(k)
	}
	normKws = append(normKws, derivedKeywords(r.nameNorm, normKws)...)
	r.keywords = strings.Join(kws, "\n")
	catZh := ""
	if info, ok := catalog.Category(d.Category).Info(); ok {
		catZh = info.Zh
	}
	// Fields joined by a newline: a query term never contains one, so no
	// match can straddle two fields. The name and keywords are also
	// spelled in pinyin, whole and by initials (dibao, zdshbz).
	fields := append([]string{r.nameNorm}, normKws...)
	for _, f := range fields[:len(fields):len(fields)] {
		if full, initials := pinyinForms(f); full != "" {
			fields = append(fields, full, initials)
		}
	}
	fields = append(fields, Normalize(d.Unit), Normalize(catZh))
	r.haystack = strings.Join(fields, "\n")
	set := map[string]struct{}{}
	for _, f := range fields {
		for _, run := range runs(f) {
			grams(run, set)
		}
	}
	r.grams = make([]string, 0, len(set))
	for g := range set {
		r.grams = append(r.grams, g)
	}
	sort.Strings(r.grams)
	return r
}

// IndexVersion puts d in the index, replacing the item's previous entry.
// Call it in the transaction that publishes the version.
func IndexVersion(ctx context.Context, tx *store.Tx, d Doc) error {
	return IndexBatch(ctx, tx, []Doc{d})
}

// Remove takes an item out of the index (an item that is no longer public at
// all; a cancelled item stays, marked cancelled).
func Remove(ctx context.Context, tx *store.Tx, itemID int64) error {
	df := map[string]int64{}
	if err := removeIDs(ctx, tx, []int64{itemID}, df); err != nil {
		return err
	}
	return addDF(ctx, tx, df)
}

// Chunk sizes keep every statement under SQLite's and PostgreSQL's bind
// parameter limits (32766 and 65535).
const (
	docChunk  = 500  // × 12 columns
	gramChunk = 3000 // × 3 columns
	idChunk   = 900
)

// posting is one row of catsearch_grams.
type posting struct {
	gram, code string
	item       int64
}

func (p posting) less(q posting) int {
	if p.gram != q.gram {
		return strings.Compare(p.gram, q.gram)
	}
	if p.code != q.code {
		return strings.Compare(p.code, q.code)
	}
	return cmp.Compare(p.item, q.item)
}

// IndexBatch indexes many docs at once with multi-row statements: the bulk
// loader's path (demo, benchmark, reindex) and IndexVersion's. Postings are
// inserted in key order, which keeps B-tree inserts local.
func IndexBatch(ctx context.Context, tx *store.Tx, docs []Doc) error {
	rows := make([]row, 0, len(docs))
	ids := make([]int64, 0, len(docs))
	for _, d := range docs {
		if err := d.validate(); err != nil {
			return err
		}
		rows = append(rows, d.prepare())
		ids = append(ids, d.ItemID)
	}
	df := map[string]int64{}
	if err := removeIDs(ctx, tx, ids, df); err != nil {
		return err
	}
	for start := 0; start < len(rows); start += docChunk {
		chunk := rows[start:min(start+docChunk, len(rows))]
		var sb strings.Builder
		sb.WriteString(`INSERT INTO catsearch_docs (item_id, body_id, version_id, code, code_norm, name, name_norm, category, unit, standing, keywords, haystack) VALUES `)
		args := make([]any, 0, len(chunk)*12)
		for i, r := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, r.ItemID, r.BodyID, r.VersionID, r.Code, r.codeNorm, r.Name, r.nameNorm,
				r.Category, r.Unit, r.Standing, r.keywords, r.haystack)
		}
		if _, err := tx.Exec(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("catsearch: index docs: %w", err)
		}
	}
	var ps []posting
	for _, r := range rows {
		for _, g := range r.grams {
			ps = append(ps, posting{g, r.codeNorm, r.ItemID})
		}
	}
	slices.SortFunc(ps, posting.less)
	if err := postings(ctx, tx, `INSERT INTO catsearch_grams (gram, code_norm, item_id) VALUES `, "(?,?,?)", "", ps); err != nil {
		return err
	}
	for _, p := range ps {
		df[p.gram]++
	}
	return addDF(ctx, tx, df)
}

// addDF adds the deltas to the document frequencies, one upsert per chunk
// of distinct grams.
func addDF(ctx context.Context, tx *store.Tx, df map[string]int64) error {
	gs := make([]string, 0, len(df))
	for g, n := range df {
		if n != 0 {
			gs = append(gs, g)
		}
	}
	slices.Sort(gs)
	for start := 0; start < len(gs); start += gramChunk {
		chunk := gs[start:min(start+gramChunk, len(gs))]
		args := make([]any, 0, 2*len(chunk))
		for _, g := range chunk {
			args = append(args, g, df[g])
		}
		q := `INSERT INTO catsearch_df (gram, n) VALUES ` + strings.TrimSuffix(strings.Repeat("(?,?),", len(chunk)), ",") +
			` ON CONFLICT (gram) DO UPDATE SET n = catsearch_df.n + excluded.n`
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("catsearch: df: %w", err)
		}
	}
	return nil
}

// postings runs head followed by the postings as rows of values (each
// rendered by row), in chunks, then tail: an insert, or a delete by row value.
func postings(ctx context.Context, tx *store.Tx, head, row, tail string, ps []posting) error {
	for start := 0; start < len(ps); start += gramChunk {
		chunk := ps[start:min(start+gramChunk, len(ps))]
		var sb strings.Builder
		sb.WriteString(head)
		args := make([]any, 0, len(chunk)*3)
		for i, p := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(row)
			args = append(args, p.gram, p.code, p.item)
		}
		sb.WriteString(tail)
		if _, err := tx.Exec(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("catsearch: postings: %w", err)
		}
	}
	return nil
}

// removeIDs deletes items from the index, subtracting their grams in df.
// An item's postings are recomputed from its stored haystack (the grams are
// a function of it), so they are deleted by primary key without a second
// index on item_id.
func removeIDs(ctx context.Context, tx *store.Tx, ids []int64, df map[string]int64) error {
	for start := 0; start < len(ids); start += idChunk {
		chunk := ids[start:min(start+idChunk, len(ids))]
		ph := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := tx.Query(ctx, `SELECT item_id, code_norm, haystack FROM catsearch_docs WHERE item_id IN (`+ph+`)`, args...)
		if err != nil {
			return fmt.Errorf("catsearch: remove: %w", err)
		}
		var ps []posting
		for rows.Next() {
			var (
				id             int64
				code, haystack string
			)
			if err := rows.Scan(&id, &code, &haystack); err != nil {
				rows.Close()
				return fmt.Errorf("catsearch: remove: %w", err)
			}
			set := map[string]struct{}{}
			for _, run := range runs(haystack) {
				grams(run, set)
			}
			for g := range set {
				ps = append(ps, posting{g, code, id})
				df[g]--
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("catsearch: remove: %w", err)
		}
		if len(ps) == 0 {
			continue
		}
		slices.SortFunc(ps, posting.less)
		// PostgreSQL types a bare VALUES parameter as text: the id is cast.
		if err := postings(ctx, tx, `DELETE FROM catsearch_grams WHERE (gram, code_norm, item_id) IN (VALUES `,
			"(?,?,CAST(? AS BIGINT))", `)`, ps); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM catsearch_docs WHERE item_id IN (`+ph+`)`, args...); err != nil {
			return fmt.Errorf("catsearch: remove: %w", err)
		}
	}
	return nil
}
