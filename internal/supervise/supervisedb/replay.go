package supervisedb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// MaxReplayCases bounds the cases one replay judges.
const MaxReplayCases = 200000

// MaxReplayCards bounds the cards a replay lists of each kind (the counts
// per unit are whole).
const MaxReplayCards = 500

// Replay is what a proposed rule set would have changed over a period of
// stored history (issue #16 item 9), read-only: per unit the cards added,
// removed and moved (same card, another instant), and the cards
// themselves up to MaxReplayCards each.
type Replay struct {
	From    time.Time        `json:"from"`
	To      time.Time        `json:"to"`
	Cases   int              `json:"cases"`
	Units   []ReplayUnit     `json:"units"`
	Added   []supervise.Card `json:"added"`
	Removed []supervise.Card `json:"removed"`
	Moved   []supervise.Card `json:"moved"`
}

// ReplayUnit is one unit's (or, Unit "", a body's cards on no unit)
// difference.
type ReplayUnit struct {
	BodyPath string `json:"body_path"`
	Unit     string `json:"unit"`
	Added    int    `json:"added"`
	Removed  int    `json:"removed"`
	Moved    int    `json:"moved"`
}

// Replay re-judges the cases registered in p's jurisdiction in [from, to)
// as they stood at to (or now, if earlier): under the rules in force, and
// under the proposed rule file put in place of p's body's own set — read
// only, nothing is stored or sent. The file is checked as any rule file
// (every mistake named by line and key). C4 is judged on both sides with
// the item's standing when the case opened: standing is not rule data.
func (s *Service) Replay(ctx context.Context, p access.Principal, from, to time.Time, file []byte) (Replay, error) {
	out := Replay{From: from, To: to, Units: []ReplayUnit{}, Added: []supervise.Card{}, Removed: []supervise.Card{}, Moved: []supervise.Card{}}
	if !p.HasAny(ruleReaders...) {
		return out, apperr.Forbiddenf("supervisedb.only_supervisors_leaders_and_administrators_try")
	}
	if p.BodyPath == "" {
		return out, errNoJurisdiction()
	}
	if !from.Before(to) {
		return out, apperr.Invalidf("to", "supervisedb.the_end_must_be_after_the")
	}
	proposed, err := supervise.Parse(file)
	if err != nil {
		return out, err
	}
	if proposed.Region == "" {
		proposed.Region = "proposed"
	}
	sets, err := s.allSets(ctx)
	if err != nil {
		return out, err
	}
	at := to
	if now := s.now(); now.Before(at) {
		at = now
	}
	numbers, err := s.caseNumbers(ctx, `SELECT number FROM cases WHERE body_path LIKE ? AND registered_at >= ? AND registered_at < ? ORDER BY id LIMIT ?`,
		p.BodyPath+"%", store.Micros(from), store.Micros(to), MaxReplayCases)
	if err != nil {
		return out, fmt.Errorf("supervisedb: replay: %w", err)
	}
	units := map[[2]string]*ReplayUnit{}
	unit := func(c supervise.Card) *ReplayUnit {
		k := [2]string{c.BodyPath, c.Unit}
		if units[k] == nil {
			units[k] = &ReplayUnit{BodyPath: c.BodyPath, Unit: c.Unit}
		}
		return units[k]
	}
	// The two rule sets in force at each body, merged once a replay (not
	// once a case: merging parses the shipped defaults).
	chains := map[string][2]supervise.Set{}
	for _, n := range numbers {
		sup, err := s.cases.Supervised(ctx, s.db, n)
		if err != nil {
			return out, err
		}
		c := sup.Case
		env := supervise.EventEnv{Flow: sup.Flow, Calendar: sup.Calendar, Standing: casework.Listed, Now: at}
		if len(sup.Events) > 0 {
			if env.Standing, err = s.cases.StandingAt(ctx, c, sup.Events[0].At); err != nil {
				return out, err
			}
		}
		ch, ok := chains[c.Body.Path]
		if !ok {
			ch = [2]supervise.Set{chainAt(sets, c.Body.Path, "", supervise.RuleSet{}), chainAt(sets, c.Body.Path, p.BodyPath, proposed)}
			chains[c.Body.Path] = ch
		}
		current, err := supervise.CaseCards(ch[0], c, sup.Events, env, at)
		if err != nil {
			return out, err
		}
		tried, err := supervise.CaseCards(ch[1], c, sup.Events, env, at)
		if err != nil {
			return out, err
		}
		added, removed, moved := supervise.Compare(current, tried)
		for _, x := range added {
			unit(x).Added++
		}
		for _, x := range removed {
			unit(x).Removed++
		}
		for _, x := range moved {
			unit(x).Moved++
		}
		out.Added = appendUpTo(out.Added, added)
		out.Removed = appendUpTo(out.Removed, removed)
		out.Moved = appendUpTo(out.Moved, moved)
		out.Cases++
	}
	for _, u := range units {
		out.Units = append(out.Units, *u)
	}
	slices.SortFunc(out.Units, func(a, b ReplayUnit) int {
		return strings.Compare(a.BodyPath+"|"+a.Unit, b.BodyPath+"|"+b.Unit)
	})
	return out, nil
}

func appendUpTo(to, from []supervise.Card) []supervise.Card {
	if n := MaxReplayCards - len(to); n < len(from) {
		from = from[:max(n, 0)]
	}
	return append(to, from...)
}

// heldSet is a body's own rule set as stored.
type heldSet struct {
	path string
	set  supervise.RuleSet
}

// allSets are every body's own rule set, shallowest first.
func (s *Service) allSets(ctx context.Context) ([]heldSet, error) {
	rows, err := s.db.Query(ctx, `SELECT b.path, r.data FROM supervise_rules r JOIN bodies b ON b.id = r.body_id`)
	if err != nil {
		return nil, fmt.Errorf("supervisedb: rule sets: %w", err)
	}
	defer rows.Close()
	var out []heldSet
	for rows.Next() {
		var h heldSet
		var data string
		if err := rows.Scan(&h.path, &data); err != nil {
			return nil, fmt.Errorf("supervisedb: rule sets: %w", err)
		}
		if err := json.Unmarshal([]byte(data), &h.set); err != nil {
			return nil, fmt.Errorf("supervisedb: rule set of %s: %w", h.path, err)
		}
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b heldSet) int { return len(a.path) - len(b.path) })
	return out, rows.Err()
}

// chainAt is the rules in force at path: the defaults, then the sets of
// the bodies on its path — with, when at is not "", the body at that
// path's own set replaced by (or, having none, given) proposed.
func chainAt(sets []heldSet, path, at string, proposed supervise.RuleSet) supervise.Set {
	chain := []supervise.RuleSet{supervise.Defaults()}
	placed := at == "" || !strings.HasPrefix(path, at)
	for _, h := range sets {
		if !strings.HasPrefix(path, h.path) {
			continue
		}
		if !placed && len(h.path) >= len(at) {
			chain = append(chain, proposed)
			placed = true
			if h.path == at {
				continue
			}
		}
		chain = append(chain, h.set)
	}
	if !placed {
		chain = append(chain, proposed)
	}
	return supervise.Merge(chain...)
}

// caseNumbers reads the case numbers query selects, in its order.
func (s *Service) caseNumbers(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var numbers []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		numbers = append(numbers, n)
	}
	return numbers, rows.Err()
}
