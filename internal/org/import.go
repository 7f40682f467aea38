package org

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// ImportResult counts what an import created.
type ImportResult struct {
	Bodies         int `json:"bodies"`
	Units          int `json:"units"`
	Staff          int `json:"staff"`
	Qualifications int `json:"qualifications"`
}

// Import reads an import file (docs/org-import.md) and creates its bodies,
// units, staff and qualifications in one write. When any row is bad it
// returns every problem as an apperr.List (each Field a cell like "人员!C7")
// and imports nothing.
func (s *Service) Import(ctx context.Context, p access.Principal, name string, data []byte) (ImportResult, error) {
	if p.BodyPath == "" {
		return ImportResult{}, apperr.New(apperr.Unauthorized, "", "org.please_log_in")
	}
	if !p.Has(access.RoleAdmin) && !p.Can(access.DutyAccounts) {
		return ImportResult{}, apperr.Forbiddenf("org.only_an_administrator_may_import_the")
	}
	f, err := ParseImport(name, data)
	var parseErrs apperr.List
	if err != nil && !errors.As(err, &parseErrs) {
		return ImportResult{}, err // the file could not be read at all
	}
	if err := importDuties(p, f); err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		plan := &importPlan{p: p, f: f}
		errs := append(slices.Clone(parseErrs), plan.check(ctx, tx)...)
		if len(errs) > 0 {
			sortErrs(errs, f)
			return errs
		}
		r, err := plan.apply(ctx, tx, s.now())
		res = r
		return err
	})
	return res, err
}

// importDuties: bodies and units are the system administrator's, staff and
// their roles the accounts duty's (with duties separated, two people), so a
// file is imported by whoever holds every duty its rows need; staff rows'
// roles follow CheckDuties.
func importDuties(p access.Principal, f *ImportFile) error {
	if f == nil {
		return nil
	}
	if len(f.Bodies)+len(f.Units) > 0 && !p.Can(access.DutySystem) {
		return apperr.Forbiddenf("org.bodies_and_units_are_imported_by")
	}
	if len(f.Staff) > 0 && !p.Can(access.DutyAccounts) {
		return apperr.Forbiddenf("org.staff_and_their_roles_are_imported")
	}
	for _, r := range f.Staff {
		if err := access.CheckDuties(p.Separated, r.Roles); err != nil {
			return rowErr(f.sheetName[sheetStaff], r.Row, "org.separation_of_duties_one_person_holds")
		}
	}
	return nil
}

// importPlan checks the rows of a file against each other and against the
// database, and then creates them.
type importPlan struct {
	p access.Principal
	f *ImportFile

	// bodies by code: from the file (row set) or the database (existing set)
	fileBodies map[string]*BodyRow
	dbBodies   map[string]Body
	fileUnits  map[[2]string]*UnitRow // (body code, unit code)
	dbUnits    map[[2]string]Unit
}

func (pl *importPlan) sheet(k sheetKind) string { return pl.f.sheetName[k] }

// body looks a body code up in the file, then in the database; it reports
// the level (and whether it is known at all).
func (pl *importPlan) body(ctx context.Context, tx *store.Tx, code string) (Level, *BodyRow, *Body, error) {
	if r, ok := pl.fileBodies[code]; ok {
		return r.Level, r, nil, nil
	}
	if b, ok := pl.dbBodies[code]; ok {
		return b.Level, nil, &b, nil
	}
	b, ok, err := getBodyByCode(ctx, tx, code)
	if err != nil || !ok {
		return "", nil, nil, err
	}
	pl.dbBodies[code] = b
	return b.Level, nil, &b, nil
}

// existingBodyOK checks that an existing body may receive children, units or
// staff from this principal.
func (pl *importPlan) existingBodyOK(c Cell, b *Body) *apperr.Error {
	if !pl.p.Covers(b.Path) {
		return cellErr(c, "org.body_is_outside_your_jurisdiction", b.Code, b.Name)
	}
	if !b.Active {
		return cellErr(c, "org.body_is_inactive", b.Code, b.Name)
	}
	return nil
}

func (pl *importPlan) check(ctx context.Context, tx *store.Tx) apperr.List {
	var errs apperr.List
	fail := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	pl.fileBodies = map[string]*BodyRow{}
	pl.dbBodies = map[string]Body{}
	pl.fileUnits = map[[2]string]*UnitRow{}
	pl.dbUnits = map[[2]string]Unit{}
	internal := func(err error) apperr.List { return apperr.List{apperr.As(err)} }

	// Bodies: unique codes, known parents, levels below parents.
	for i := range pl.f.Bodies {
		r := &pl.f.Bodies[i]
		if r.Code == "" || !bodyCodeRe.MatchString(r.Code) {
			continue
		}
		if first, dup := pl.fileBodies[r.Code]; dup {
			fail(cellErr(r.cells["code"], "org.duplicate_code_already_on_row", r.Code, first.Row))
			continue
		}
		if b, ok, err := getBodyByCode(ctx, tx, r.Code); err != nil {
			return internal(err)
		} else if ok {
			fail(cellErr(r.cells["code"], "org.code_is_already_used_by", r.Code, b.Name))
			continue
		}
		pl.fileBodies[r.Code] = r
	}
	for i := range pl.f.Bodies {
		r := &pl.f.Bodies[i]
		c := r.cells["parent_code"]
		if r.ParentCode == "" {
			if r.Code != "" && !isSystem(pl.p) {
				fail(cellErr(c, "org.parent_code_is_required_you_may"))
			}
			continue
		}
		if !bodyCodeRe.MatchString(r.ParentCode) {
			continue // reported by the parser
		}
		if r.ParentCode == r.Code {
			fail(cellErr(c, "org.a_body_cannot_be_its_own"))
			continue
		}
		level, _, existing, err := pl.body(ctx, tx, r.ParentCode)
		if err != nil {
			return internal(err)
		}
		if level == "" && existing == nil {
			if _, inFile := pl.fileBodies[r.ParentCode]; !inFile {
				fail(cellErr(c, "org.unknown_parent_code_neither_in_this", r.ParentCode))
				continue
			}
		}
		if existing != nil {
			fail(pl.existingBodyOK(c, existing))
		}
		if r.Level.Valid() && level.Valid() && r.Level.Rank() <= level.Rank() {
			fail(cellErr(r.cells["level"], "org.level_must_be_below_the_parent", r.Level, r.ParentCode, level))
		}
	}

	// Units: known bodies, unique codes within their body.
	for i := range pl.f.Units {
		r := &pl.f.Units[i]
		if r.BodyCode == "" || !bodyCodeRe.MatchString(r.BodyCode) {
			continue
		}
		_, fileBody, existing, err := pl.body(ctx, tx, r.BodyCode)
		if err != nil {
			return internal(err)
		}
		if fileBody == nil && existing == nil {
			fail(cellErr(r.cells["body_code"], "org.unknown_body_code", r.BodyCode))
			continue
		}
		if existing != nil {
			if e := pl.existingBodyOK(r.cells["body_code"], existing); e != nil {
				fail(e)
				continue
			}
		}
		if r.Code == "" || !unitCodeRe.MatchString(r.Code) {
			continue
		}
		key := [2]string{r.BodyCode, r.Code}
		if first, dup := pl.fileUnits[key]; dup {
			fail(cellErr(r.cells["code"], "org.duplicate_unit_code_in_body_already", r.Code, r.BodyCode, first.Row))
			continue
		}
		if existing != nil {
			u, ok, err := unitByCode(ctx, tx, existing.ID, r.Code)
			if err != nil {
				return internal(err)
			}
			if ok {
				fail(cellErr(r.cells["code"], "org.unit_code_is_already_used_by", r.Code, u.Name, r.BodyCode))
				continue
			}
		}
		pl.fileUnits[key] = r
	}

	// Staff: known body and unit; O2 counts per unit; unique certificates.
	heads := map[[2]string][]int{}    // unit → rows marking a head
	liaisons := map[[2]string][]int{} // unit → rows marking a liaison
	certs := map[string]int{}
	for i := range pl.f.Staff {
		r := &pl.f.Staff[i]
		if r.BodyCode != "" && bodyCodeRe.MatchString(r.BodyCode) {
			_, fileBody, existing, err := pl.body(ctx, tx, r.BodyCode)
			if err != nil {
				return internal(err)
			}
			switch {
			case fileBody == nil && existing == nil:
				fail(cellErr(r.cells["body_code"], "org.unknown_body_code", r.BodyCode))
			case existing != nil && pl.existingBodyOK(r.cells["body_code"], existing) != nil:
				fail(pl.existingBodyOK(r.cells["body_code"], existing))
			case r.UnitCode != "" && unitCodeRe.MatchString(r.UnitCode):
				key := [2]string{r.BodyCode, r.UnitCode}
				if _, ok := pl.fileUnits[key]; !ok {
					if existing == nil {
						fail(cellErr(r.cells["unit_code"], "org.body_has_no_unit", r.BodyCode, r.UnitCode))
						break
					}
					u, ok, err := pl.dbUnit(ctx, tx, existing.ID, key)
					if err != nil {
						return internal(err)
					}
					if !ok {
						fail(cellErr(r.cells["unit_code"], "org.body_has_no_unit", r.BodyCode, r.UnitCode))
						break
					}
					if !u.Active {
						fail(cellErr(r.cells["unit_code"], "org.unit_is_inactive", u.Code, u.Name))
						break
					}
				}
				if r.IsHead {
					heads[key] = append(heads[key], i)
				}
				if r.IsLiaison {
					liaisons[key] = append(liaisons[key], i)
				}
			}
		}
		if (r.IsHead || r.IsLiaison) && r.UnitCode == "" {
			col := "is_head"
			if !r.IsHead {
				col = "is_liaison"
			}
			fail(cellErr(r.cells[col], "org.a_head_or_liaison_needs_a"))
		}
		if r.IsLiaison && r.Roles != nil && !slices.Contains(r.Roles, access.RoleListLiaison) {
			fail(cellErr(r.cells["is_liaison"], "org.a_liaison_needs_the_role_list"))
		}
		if r.CertNo != "" && certNoRe.MatchString(r.CertNo) {
			if first, dup := certs[r.CertNo]; dup {
				fail(cellErr(r.cells["cert_no"], "org.duplicate_certificate_already_on_row", r.CertNo, first))
			} else {
				certs[r.CertNo] = r.Row
				if err := certTaken(ctx, tx, r.CertNo, 0); err != nil {
					if apperr.CodeOf(err) != apperr.Conflict {
						return internal(err)
					}
					fail(cellErr(r.cells["cert_no"], "org.certificate_is_already_registered", r.CertNo))
				}
			}
		}
	}
	// O2 per unit: at most one head and two liaisons counting those already
	// in the system; a unit created by this file must end with exactly one
	// head and one or two liaisons.
	for _, key := range sortedKeys(heads, liaisons, pl.fileUnits) {
		var haveHeads, haveLiaisons int
		if u, ok := pl.dbUnits[key]; ok {
			var err error
			if haveHeads, err = count(ctx, tx, `SELECT COUNT(*) FROM staff WHERE unit_id = ? AND active = TRUE AND is_head = TRUE`, u.ID); err != nil {
				return internal(err)
			}
			if haveLiaisons, err = count(ctx, tx, `SELECT COUNT(*) FROM staff WHERE unit_id = ? AND active = TRUE AND is_liaison = TRUE`, u.ID); err != nil {
				return internal(err)
			}
		}
		if rows := heads[key]; haveHeads+len(rows) > 1 {
			for _, i := range rows[max(0, 1-haveHeads):] {
				r := pl.f.Staff[i]
				fail(cellErr(r.cells["is_head"], "org.unit_can_have_only_one_head", key[1]))
			}
		}
		if rows := liaisons[key]; haveLiaisons+len(rows) > MaxLiaisons {
			for _, i := range rows[max(0, MaxLiaisons-haveLiaisons):] {
				r := pl.f.Staff[i]
				fail(cellErr(r.cells["is_liaison"], "org.unit_can_have_at_most_list", key[1], MaxLiaisons))
			}
		}
		if u, ok := pl.fileUnits[key]; ok {
			if len(heads[key]) == 0 {
				fail(rowErr(pl.sheet(sheetUnits), u.Row, "org.unit_has_no_head_mark_one", key[1]))
			}
			if len(liaisons[key]) == 0 {
				fail(rowErr(pl.sheet(sheetUnits), u.Row, "org.unit_has_no_list_liaison_mark", key[1]))
			}
		}
	}
	return errs
}

func (pl *importPlan) dbUnit(ctx context.Context, tx *store.Tx, bodyID int64, key [2]string) (Unit, bool, error) {
	if u, ok := pl.dbUnits[key]; ok {
		return u, true, nil
	}
	u, ok, err := unitByCode(ctx, tx, bodyID, key[1])
	if ok {
		pl.dbUnits[key] = u
	}
	return u, ok, err
}

func unitByCode(ctx context.Context, q querier, bodyID int64, code string) (Unit, bool, error) {
	u, err := scanUnit(q.QueryRow(ctx, `SELECT `+unitCols+` FROM units u WHERE u.body_id = ? AND u.code = ?`, bodyID, code))
	if isNoRows(err) {
		return Unit{}, false, nil
	}
	return u, err == nil, err
}

func sortedKeys(a, b map[[2]string][]int, c map[[2]string]*UnitRow) [][2]string {
	set := map[[2]string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	for k := range c {
		set[k] = true
	}
	keys := make([][2]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	return keys
}

// apply creates everything; check has passed, so the service's own checks
// (run again by the shared create functions) only guard against bugs.
func (pl *importPlan) apply(ctx context.Context, tx *store.Tx, now time.Time) (ImportResult, error) {
	var res ImportResult
	ids := map[string]int64{} // body code → id
	// Parents first: a child's level is strictly below its parent's.
	rows := slices.Clone(pl.f.Bodies)
	slices.SortStableFunc(rows, func(a, b BodyRow) int { return a.Level.Rank() - b.Level.Rank() })
	bodyID := func(code string) int64 {
		if id, ok := ids[code]; ok {
			return id
		}
		return pl.dbBodies[code].ID
	}
	for _, r := range rows {
		b, err := createBody(ctx, tx, pl.p, BodyInput{ParentID: bodyID(r.ParentCode), Level: r.Level, Code: r.Code, Name: r.Name, TimeZone: r.TimeZone}, now)
		if err != nil {
			return res, fmt.Errorf("%s row %d: %w", pl.sheet(sheetBodies), r.Row, err)
		}
		ids[r.Code] = b.ID
		res.Bodies++
	}
	unitIDs := map[[2]string]int64{}
	for _, r := range pl.f.Units {
		u, err := insertUnit(ctx, tx, pl.p, bodyID(r.BodyCode), UnitInput{Kind: r.Kind, Code: r.Code, Name: r.Name}, now)
		if err != nil {
			return res, fmt.Errorf("%s row %d: %w", pl.sheet(sheetUnits), r.Row, err)
		}
		unitIDs[[2]string{r.BodyCode, r.Code}] = u.ID
		res.Units++
	}
	for _, r := range pl.f.Staff {
		var unitID int64
		if r.UnitCode != "" {
			key := [2]string{r.BodyCode, r.UnitCode}
			if id, ok := unitIDs[key]; ok {
				unitID = id
			} else {
				unitID = pl.dbUnits[key].ID
			}
		}
		in := StaffInput{BodyID: bodyID(r.BodyCode), UnitID: unitID, Name: r.Name, Phone: r.Phone, Roles: r.Roles, IsHead: r.IsHead, IsLiaison: r.IsLiaison}
		if err := in.validate(); err != nil {
			return res, fmt.Errorf("%s row %d: %w", pl.sheet(sheetStaff), r.Row, err)
		}
		st, err := createStaff(ctx, tx, pl.p, in, now)
		if err != nil {
			return res, fmt.Errorf("%s row %d: %w", pl.sheet(sheetStaff), r.Row, err)
		}
		res.Staff++
		if r.CertNo != "" {
			qi := QualificationInput{StaffID: st.ID, CertNo: r.CertNo, Scope: r.Scope, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo}
			if err := qi.validate(); err != nil {
				return res, fmt.Errorf("%s row %d: %w", pl.sheet(sheetStaff), r.Row, err)
			}
			if _, err := insertQual(ctx, tx, pl.p, st, qi, now); err != nil {
				return res, fmt.Errorf("%s row %d: %w", pl.sheet(sheetStaff), r.Row, err)
			}
			res.Qualifications++
		}
	}
	return res, nil
}

// sortErrs orders errors by sheet (bodies, units, staff), row and column.
func sortErrs(errs apperr.List, f *ImportFile) {
	key := func(e *apperr.Error) (int, int, int) {
		sheet, ref, ok := strings.Cut(e.Field, "!")
		if !ok {
			return -1, 0, 0
		}
		si := 3
		if f != nil {
			for k, name := range f.sheetName {
				if name == sheet {
					si = k
				}
			}
		}
		if n, err := strconv.Atoi(ref); err == nil {
			return si, n, 0
		}
		col, row, err := excelize.CellNameToCoordinates(ref)
		if err != nil {
			return si, 0, 0
		}
		return si, row, col
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a1, a2, a3 := key(errs[i])
		b1, b2, b3 := key(errs[j])
		if a1 != b1 {
			return a1 < b1
		}
		if a2 != b2 {
			return a2 < b2
		}
		return a3 < b3
	})
}
