package org

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// Body returns a body in the principal's jurisdiction.
func (s *Service) Body(ctx context.Context, p access.Principal, id int64) (Body, error) {
	b, err := getBody(ctx, s.db, id)
	if err != nil {
		return Body{}, err
	}
	return b, canRead(p, b.Path)
}

// BodyByCode returns the body with the given code in the principal's
// jurisdiction.
func (s *Service) BodyByCode(ctx context.Context, p access.Principal, code string) (Body, error) {
	b, ok, err := getBodyByCode(ctx, s.db, strings.TrimSpace(code))
	if err != nil {
		return Body{}, err
	}
	if !ok {
		return Body{}, apperr.NotFoundf("org.no_body_has_code", clip(code))
	}
	return b, canRead(p, b.Path)
}

// Bodies returns the subtree under rootID (0: the principal's own body), in
// depth-first order (parents before children, siblings by code).
func (s *Service) Bodies(ctx context.Context, p access.Principal, rootID int64, includeInactive bool) ([]Body, error) {
	root, err := s.rootFor(ctx, p, rootID)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + bodyCols + ` FROM bodies b WHERE b.path LIKE ? ESCAPE '\'`
	if !includeInactive {
		q += ` AND b.active = TRUE`
	}
	all, err := collect(ctx, s.db, scanBody, q, likeEscape(root)+"%")
	if err != nil {
		return nil, err
	}
	return depthFirst(all), nil
}

// rootFor resolves a subtree root for a read: rootID when it is in the
// jurisdiction, else the principal's own jurisdiction.
func (s *Service) rootFor(ctx context.Context, p access.Principal, rootID int64) (string, error) {
	if rootID == 0 {
		if err := canRead(p, p.BodyPath); err != nil {
			return "", err
		}
		return p.BodyPath, nil
	}
	b, err := s.Body(ctx, p, rootID)
	if err != nil {
		return "", err
	}
	return b.Path, nil
}

// depthFirst orders bodies parents first, siblings by code.
func depthFirst(all []Body) []Body {
	kids := map[int64][]Body{}
	ids := map[int64]bool{}
	for _, b := range all {
		ids[b.ID] = true
	}
	var roots []Body
	for _, b := range all {
		if ids[b.ParentID] {
			kids[b.ParentID] = append(kids[b.ParentID], b)
		} else {
			roots = append(roots, b)
		}
	}
	out := make([]Body, 0, len(all))
	var walk func([]Body)
	walk = func(bs []Body) {
		sort.Slice(bs, func(i, j int) bool { return bs[i].Code < bs[j].Code })
		for _, b := range bs {
			out = append(out, b)
			walk(kids[b.ID])
		}
	}
	walk(roots)
	return out
}

// TreeNode is a body with its sub-bodies.
type TreeNode struct {
	Body     Body        `json:"body"`
	Children []*TreeNode `json:"children,omitempty"`
}

// Tree returns the subtree under rootID (0: the principal's own body) as
// nested nodes.
func (s *Service) Tree(ctx context.Context, p access.Principal, rootID int64, includeInactive bool) (*TreeNode, error) {
	bodies, err := s.Bodies(ctx, p, rootID, includeInactive)
	if err != nil {
		return nil, err
	}
	if len(bodies) == 0 {
		return nil, apperr.NotFoundf("org.no_such_active_body")
	}
	nodes := map[int64]*TreeNode{}
	root := &TreeNode{Body: bodies[0]}
	nodes[root.Body.ID] = root
	for _, b := range bodies[1:] {
		n := &TreeNode{Body: b}
		nodes[b.ID] = n
		if parent, ok := nodes[b.ParentID]; ok {
			parent.Children = append(parent.Children, n)
		}
	}
	return root, nil
}

// Unit returns a unit of a body in the principal's jurisdiction.
func (s *Service) Unit(ctx context.Context, p access.Principal, id int64) (Unit, error) {
	u, err := getUnit(ctx, s.db, id)
	if err != nil {
		return Unit{}, err
	}
	if _, err := s.Body(ctx, p, u.BodyID); err != nil {
		return Unit{}, err
	}
	return u, nil
}

// Units lists the units of a body, by code.
func (s *Service) Units(ctx context.Context, p access.Principal, bodyID int64, includeInactive bool) ([]Unit, error) {
	if _, err := s.Body(ctx, p, bodyID); err != nil {
		return nil, err
	}
	q := `SELECT ` + unitCols + ` FROM units u WHERE u.body_id = ?`
	if !includeInactive {
		q += ` AND u.active = TRUE`
	}
	return collect(ctx, s.db, scanUnit, q+` ORDER BY u.code`, bodyID)
}

// Staff returns a staff member of a body in the principal's jurisdiction.
func (s *Service) Staff(ctx context.Context, p access.Principal, id int64) (Staff, error) {
	st, err := getStaff(ctx, s.db, id)
	if err != nil {
		return Staff{}, err
	}
	if _, err := s.Body(ctx, p, st.BodyID); err != nil {
		return Staff{}, err
	}
	return st, nil
}

// StaffQuery filters SearchStaff. Zero fields do not filter.
type StaffQuery struct {
	BodyID          int64       // the subtree of this body (0: the principal's jurisdiction)
	UnitID          int64       // only this unit
	Role            access.Role // only staff holding this role
	Text            string      // name or phone contains this
	IncludeInactive bool
	Limit, Offset   int // Limit 0 means 100; at most 1000
}

// SearchStaff finds staff in the principal's jurisdiction, by name.
func (s *Service) SearchStaff(ctx context.Context, p access.Principal, f StaffQuery) ([]Staff, error) {
	root, err := s.rootFor(ctx, p, f.BodyID)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + staffCols + ` FROM staff s JOIN bodies b ON b.id = s.body_id WHERE b.path LIKE ? ESCAPE '\'`
	args := []any{likeEscape(root) + "%"}
	if f.UnitID != 0 {
		q += ` AND s.unit_id = ?`
		args = append(args, f.UnitID)
	}
	if f.Role != "" {
		if _, ok := access.ParseRole(string(f.Role)); !ok {
			return nil, apperr.Invalidf("role", "org.unknown_role", clip(string(f.Role)))
		}
		q += ` AND (',' || s.roles || ',') LIKE ?`
		args = append(args, "%,"+string(f.Role)+",%")
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		q += ` AND (s.name LIKE ? ESCAPE '\' OR s.phone LIKE ? ESCAPE '\')`
		pat := "%" + likeEscape(t) + "%"
		args = append(args, pat, pat)
	}
	if !f.IncludeInactive {
		q += ` AND s.active = TRUE`
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q += ` ORDER BY b.path, s.name, s.id LIMIT ? OFFSET ?`
	args = append(args, limit, max(f.Offset, 0))
	return collect(ctx, s.db, scanStaff, q, args...)
}

// Gap is an active unit that does not (yet) meet O2.
type Gap struct {
	Unit     Unit `json:"unit"`
	Heads    int  `json:"heads"`
	Liaisons int  `json:"liaisons"`
}

// Problem says in both languages what is missing.
func (g Gap) Problem() (zh, en string) {
	var z, e []string
	if g.Heads == 0 {
		z, e = append(z, "缺负责人"), append(e, "no head")
	}
	if g.Liaisons == 0 {
		z, e = append(z, "缺清单联络员"), append(e, "no list liaison")
	}
	return strings.Join(z, "，"), strings.Join(e, ", ")
}

// Gaps lists the active units in the principal's jurisdiction that lack a
// head or a list liaison (O2), for the administrator to complete.
func (s *Service) Gaps(ctx context.Context, p access.Principal) ([]Gap, error) {
	if err := canRead(p, p.BodyPath); err != nil {
		return nil, err
	}
	return collect(ctx, s.db, func(sc scanner) (Gap, error) {
		var g Gap
		var heads, liaisons int
		u, err := scanUnit(scanFunc(func(dest ...any) error {
			return sc.Scan(append(dest, &heads, &liaisons)...)
		}))
		g.Unit, g.Heads, g.Liaisons = u, heads, liaisons
		return g, err
	}, `SELECT `+unitCols+`,
		(SELECT COUNT(*) FROM staff s WHERE s.unit_id = u.id AND s.active = TRUE AND s.is_head = TRUE),
		(SELECT COUNT(*) FROM staff s WHERE s.unit_id = u.id AND s.active = TRUE AND s.is_liaison = TRUE)
		FROM units u JOIN bodies b ON b.id = u.body_id
		WHERE u.active = TRUE AND b.path LIKE ? ESCAPE '\'
		AND (NOT EXISTS (SELECT 1 FROM staff s WHERE s.unit_id = u.id AND s.active = TRUE AND s.is_head = TRUE)
		  OR NOT EXISTS (SELECT 1 FROM staff s WHERE s.unit_id = u.id AND s.active = TRUE AND s.is_liaison = TRUE))
		ORDER BY b.path, u.code`, likeEscape(p.BodyPath)+"%")
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// PathOf returns the materialised path of the body owning an object of the
// given kind ("body", "unit", "staff", "qualification"): the web layer's
// route policies check it against the principal's jurisdiction before a
// handler runs. An unknown object is NotFound.
func (s *Service) PathOf(ctx context.Context, kind string, id int64) (string, error) {
	q, ok := map[string]string{
		"body":          `SELECT b.path FROM bodies b WHERE b.id = ?`,
		"unit":          `SELECT b.path FROM units u JOIN bodies b ON b.id = u.body_id WHERE u.id = ?`,
		"staff":         `SELECT b.path FROM staff s JOIN bodies b ON b.id = s.body_id WHERE s.id = ?`,
		"qualification": `SELECT b.path FROM staff_qualifications q JOIN staff s ON s.id = q.staff_id JOIN bodies b ON b.id = s.body_id WHERE q.id = ?`,
	}[kind]
	if !ok {
		return "", fmt.Errorf("org: PathOf: unknown kind %q", kind)
	}
	var path string
	err := s.db.QueryRow(ctx, q, id).Scan(&path)
	if isNoRows(err) {
		return "", notFound(kind, id)
	}
	return path, err
}

// TopPath returns the path that covers every body: the root body's path, or
// "/" when there are several roots or none, which only the System principal
// covers. What applies to every body — the national calendar, the whole
// audit log — is in the jurisdiction of whoever covers this path: the
// administrator of the root body (O1).
func TopPath(ctx context.Context, q store.Querier) (string, error) {
	rows, err := q.Query(ctx, `SELECT path FROM bodies WHERE parent_id IS NULL ORDER BY id LIMIT 2`)
	if err != nil {
		return "", fmt.Errorf("org: root bodies: %w", err)
	}
	defer rows.Close()
	var roots []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return "", fmt.Errorf("org: root bodies: %w", err)
		}
		roots = append(roots, p)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("org: root bodies: %w", err)
	}
	if len(roots) != 1 {
		return "/", nil
	}
	return roots[0], nil
}
