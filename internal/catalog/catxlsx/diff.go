package catxlsx

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/msg"
)

// ChangeKind is what an import does to one item.
type ChangeKind string

const (
	Added   ChangeKind = "added"   // in the file, not (or cancelled) on the list
	Changed ChangeKind = "changed" // on both, with different elements or standing
	Removed ChangeKind = "removed" // on the list, no longer in the file
)

// Change is one difference between the current list and an imported one.
type Change struct {
	Kind     ChangeKind `json:"kind"`
	BaseCode string     `json:"base_code"`
	Name     string     `json:"name"`
	// Paths are the changed elements as JSON paths (name,
	// materials[2].count, status), in a stable order; empty for added and
	// removed items.
	Paths    []string             `json:"paths,omitempty"`
	Current  *catalog.ItemVersion `json:"-"`
	Imported *catalog.ItemVersion `json:"-"`
}

// Diff compares a body's current list (the newest published version of
// each item, including suspended and cancelled ones) with an imported one.
// Only what an import can change counts: the content, the validity start
// and the standing (listed, suspended, cancelled); version numbers,
// publication times, end dates and hashes are the system's. So importing
// an unchanged export gives no change, and changing one cell gives exactly
// one change naming that element.
func Diff(current, imported []catalog.ItemVersion) []Change {
	cur := map[string]*catalog.ItemVersion{}
	for i := range current {
		cur[current[i].BaseCode] = &current[i]
	}
	var out []Change
	seen := map[string]bool{}
	for i := range imported {
		im := &imported[i]
		seen[im.BaseCode] = true
		c, ok := cur[im.BaseCode]
		if !ok {
			out = append(out, Change{Kind: Added, BaseCode: im.BaseCode, Name: im.Name, Imported: im})
			continue
		}
		if paths := changedPaths(c, im); len(paths) > 0 {
			out = append(out, Change{Kind: Changed, BaseCode: im.BaseCode, Name: im.Name, Paths: paths, Current: c, Imported: im})
		}
	}
	for i := range current {
		c := &current[i]
		if !seen[c.BaseCode] && standing(c.Status) != catalog.Cancelled {
			out = append(out, Change{Kind: Removed, BaseCode: c.BaseCode, Name: c.Name, Current: c})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].BaseCode < out[j].BaseCode })
	return out
}

// standing is what a version's status means for the list an import
// describes: published (and a draft row someone added) is listed.
func standing(s catalog.VersionStatus) catalog.Standing {
	switch s {
	case catalog.StatusSuspended:
		return catalog.Suspended
	case catalog.StatusCancelled:
		return catalog.Cancelled
	}
	return catalog.Listed
}

// comparable renders what Diff compares as flat JSON leaves by path.
func comparable(v *catalog.ItemVersion) map[string]string {
	d := Draft(*v)
	d.ValidFrom = d.ValidFrom.UTC() // the same instant read in another zone is no change
	b, err := json.Marshal(d)
	if err != nil {
		// ItemVersion is plain data; Marshal cannot fail on it.
		panic("catxlsx: marshal item: " + err.Error())
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		panic("catxlsx: unmarshal item: " + err.Error())
	}
	leaves := map[string]string{"status": string(standing(v.Status))}
	flatten("", tree, leaves)
	return leaves
}

// flatten lists the leaves of a JSON tree. Empty strings, empty lists and
// nulls are no leaf, so nil and empty slices compare equal.
func flatten(path string, t any, out map[string]string) {
	switch x := t.(type) {
	case map[string]any:
		for k, v := range x {
			if k == "status" && path == "" {
				continue // compared as standing
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, v, out)
		}
	case []any:
		for i, v := range x {
			flatten(path+"["+strconv.Itoa(i)+"]", v, out)
		}
	case nil:
	case string:
		if x != "" {
			out[path] = strconv.Quote(x)
		}
	default:
		out[path] = fmt.Sprint(x)
	}
}

func changedPaths(a, b *catalog.ItemVersion) []string {
	la, lb := comparable(a), comparable(b)
	var out []string
	for p, v := range la {
		if lb[p] != v {
			out = append(out, p)
		}
	}
	for p := range lb {
		if _, ok := la[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return pathLess(out[i], out[j]) })
	return out
}

// pathLess orders paths with their indices as numbers (materials[2] before
// materials[10]).
func pathLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := isDigit(a[0]), isDigit(b[0])
		if da && db {
			i, j := 0, 0
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na, _ := strconv.Atoi(a[:i])
			nb, _ := strconv.Atoi(b[:j])
			if na != nb {
				return na < nb
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// NoteZh and NoteEn explain a suspension, re-enabling or cancellation made
// by import when the importer gives no note.
const (
	NoteZh = "经Excel导入调整"
	NoteEn = "adjusted by Excel import"
)

// Proposal turns the differences into the changes of a draft adjustment
// (C3): an added item is an add; a removed one a cancellation; a changed
// one a change of content, or — when its standing changed — a suspension,
// re-enabling, cancellation or (for a cancelled item listed again) an add.
// Drafts carry no lifecycle elements; a validity start left as exported
// is cleared, so the new version takes effect when published. book, when
// not nil, places refusals at their cells; note explains suspensions,
// re-enablings and cancellations.
func Proposal(diff []Change, book *Book, note string) ([]catalog.Change, error) {
	if note == "" {
		note = NoteZh
	}
	var errs apperr.List
	refuse := func(c Change, key string, args ...any) {
		field := "status"
		if book != nil {
			if f := book.Cell(c.BaseCode, "status"); f != "" {
				field = f
			}
		}
		errs = append(errs, apperr.New(apperr.Invalid, field, "catxlsx.item", c.BaseCode, c.Name, msg.M(key, args...)))
	}
	var out []catalog.Change
	for _, c := range diff {
		switch c.Kind {
		case Added:
			if st := standing(c.Imported.Status); st != catalog.Listed {
				refuse(c, "catxlsx.a_new_item_s_status_must")
				continue
			}
			out = append(out, catalog.Change{Kind: catalog.AddItem, BaseCode: c.BaseCode, Name: c.Name, Draft: draftFor(c)})
		case Removed:
			out = append(out, catalog.Change{Kind: catalog.CancelItem, BaseCode: c.BaseCode, Name: c.Current.Name, Note: note})
		case Changed:
			from, to := standing(c.Current.Status), standing(c.Imported.Status)
			content := len(c.Paths) > 1 || (len(c.Paths) == 1 && c.Paths[0] != "status")
			switch {
			case from == to && from == catalog.Listed:
				out = append(out, catalog.Change{Kind: catalog.ChangeItem, BaseCode: c.BaseCode, Name: c.Name, Draft: draftFor(c)})
			case from == to:
				refuse(c, "catxlsx.a_suspended_or_cancelled_item_s")
			case to == catalog.Suspended && from == catalog.Listed && !content:
				out = append(out, catalog.Change{Kind: catalog.SuspendItem, BaseCode: c.BaseCode, Name: c.Name, Note: note})
			case to == catalog.Cancelled && !content:
				out = append(out, catalog.Change{Kind: catalog.CancelItem, BaseCode: c.BaseCode, Name: c.Name, Note: note})
			case to == catalog.Listed && from == catalog.Suspended:
				ch := catalog.Change{Kind: catalog.ReenableItem, BaseCode: c.BaseCode, Name: c.Name, Note: note}
				if content {
					ch.Draft = draftFor(c)
				}
				out = append(out, ch)
			case to == catalog.Listed && from == catalog.Cancelled:
				out = append(out, catalog.Change{Kind: catalog.AddItem, BaseCode: c.BaseCode, Name: c.Name, Draft: draftFor(c)})
			case to == catalog.Suspended && from == catalog.Cancelled:
				refuse(c, "catxlsx.a_cancelled_item_cannot_be_suspended")
			default:
				refuse(c, "catxlsx.an_item_cannot_be_suspended_or")
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// draftFor is the imported content as a draft. A validity start equal to
// the current version's is the exported value left alone: cleared, so the
// new version takes effect on publication.
func draftFor(c Change) *catalog.ItemVersion {
	d := Draft(*c.Imported)
	if c.Current != nil && d.ValidFrom.Equal(c.Current.ValidFrom) {
		d.ValidFrom = time.Time{}
	}
	return &d
}
