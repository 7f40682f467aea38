package supervisedb

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/supervise"
)

// Row is one line of the supervisor's dashboard: a body (Unit "": the
// whole body) or one of its units, with its open cards by level.
type Row struct {
	BodyPath string `json:"body_path"`
	BodyName string `json:"body_name"`
	Unit     string `json:"unit,omitempty"`
	UnitName string `json:"unit_name,omitempty"`
	Reminder int64  `json:"reminder"`
	Yellow   int64  `json:"yellow"`
	Red      int64  `json:"red"`
}

// Dashboard is the maintained counts in p's jurisdiction as the
// dashboard's rows: each body, then its units, by path and code.
func (s *Service) Dashboard(ctx context.Context, p access.Principal) ([]Row, error) {
	counts, err := s.Counts(ctx, p)
	if err != nil {
		return nil, err
	}
	bodies, err := s.names(ctx, `SELECT path, name FROM bodies WHERE path LIKE ?`, p.BodyPath+"%")
	if err != nil {
		return nil, err
	}
	units, err := s.names(ctx, `SELECT b.path || '|' || u.code, u.name FROM units u JOIN bodies b ON b.id = u.body_id WHERE b.path LIKE ?`, p.BodyPath+"%")
	if err != nil {
		return nil, err
	}
	var out []Row
	at := map[string]int{}
	for _, c := range counts {
		k := c.BodyPath + "|" + c.Unit
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, Row{BodyPath: c.BodyPath, BodyName: bodies[c.BodyPath], Unit: c.Unit, UnitName: units[k]})
		}
		switch c.Level {
		case supervise.Reminder:
			out[i].Reminder += c.N
		case supervise.Yellow:
			out[i].Yellow += c.N
		case supervise.Red:
			out[i].Red += c.N
		}
	}
	return out, nil
}

func (s *Service) names(ctx context.Context, query string, args ...any) (map[string]string, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: names: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("supervisedb: names: %w", err)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, rows.Err()
}
