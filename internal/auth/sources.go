package auth

import (
	"context"
	"database/sql"
	"errors"

	"math"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// The per account and source limit of the lockout policy (LockoutPolicy),
// stored in login_sources so that every instance sharing the database
// applies it. Writes here are throttling state, not events: each failure is
// an audited event on the account already.

// claim is an attempt claimed from a source before its password is checked.
type claim struct {
	source string
	next   SourceState // stored: the attempt counted as a failure
	locks  bool        // a wrong password now locks the account for this source
	known  bool        // the account logged in from this source recently
}

func waitError(wait time.Duration) *apperr.Error {
	n := int(math.Ceil(wait.Seconds()))
	return apperr.New(apperr.TooMany, "", "auth.after_a_failed_login_wait_s", n)
}

const sourceCols = `failures, last_attempt_at, locked_until, last_success_at`

// readSource reads the state of one source's attempts on an account; found
// is false (and the state zero) when it has none.
func readSource(ctx context.Context, q store.Querier, accountID int64, source string) (st SourceState, found bool, err error) {
	var attempt, locked, success int64
	err = q.QueryRow(ctx, `SELECT `+sourceCols+` FROM login_sources WHERE account_id = ? AND source = ?`, accountID, source).
		Scan(&st.Failures, &attempt, &locked, &success)
	if errors.Is(err, sql.ErrNoRows) {
		return SourceState{}, false, nil
	}
	if err != nil {
		return SourceState{}, false, err
	}
	st.LastAttempt, st.LockedUntil, st.LastSuccess = fromMicros(attempt), fromMicros(locked), fromMicros(success)
	return st, true, nil
}

// writeSource stores next over old (found: the row exists), failing with
// errRaced when another instance changed the row in between.
func writeSource(ctx context.Context, tx *store.Tx, accountID int64, source string, old, next SourceState, found bool) error {
	var res sql.Result
	var err error
	if found {
		res, err = tx.Exec(ctx, `UPDATE login_sources SET failures = ?, last_attempt_at = ?, locked_until = ?, last_success_at = ?
			WHERE account_id = ? AND source = ? AND failures = ? AND last_attempt_at = ? AND locked_until = ? AND last_success_at = ?`,
			next.Failures, micros(next.LastAttempt), micros(next.LockedUntil), micros(next.LastSuccess), accountID, source,
			old.Failures, micros(old.LastAttempt), micros(old.LockedUntil), micros(old.LastSuccess))
	} else {
		res, err = tx.Exec(ctx, `INSERT INTO login_sources (account_id, source, `+sourceCols+`) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, source) DO NOTHING`,
			accountID, source, next.Failures, micros(next.LastAttempt), micros(next.LockedUntil), micros(next.LastSuccess))
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errRaced
	}
	return nil
}

// claimAttempt claims a login attempt on account a from source at now,
// before the password is checked: refused (TooMany) while the account is
// locked and the source is not one it logged in from recently, while the
// source is locked out of the account, or while the source's wait after its
// last failure runs. The claim counts the attempt as a failure in advance,
// in one write, so of parallel attempts from one source one is checked.
func (s *Service) claimAttempt(ctx context.Context, a Account, source string, now time.Time) (claim, error) {
	pol := s.cfg.Lockout
	for attempt := 0; ; attempt++ {
		var c claim
		var refused error
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			c, refused = claim{source: source}, nil
			cur, _, err := getAccount(ctx, tx, `id = ?`, a.ID)
			if err != nil {
				return err
			}
			st, found, err := readSource(ctx, tx, a.ID, source)
			if err != nil {
				return err
			}
			c.known = pol.Known(st, now)
			if pol.Locked(cur.LockedUntil, now) && !c.known {
				refused = lockedError(cur.LockedUntil)
				return nil
			}
			next, locks, wait, ok := pol.Claim(st, now)
			switch {
			case !ok && pol.Locked(st.LockedUntil, now):
				refused = lockedError(st.LockedUntil)
				return nil
			case !ok:
				refused = waitError(wait)
				return nil
			}
			c.next, c.locks = next, locks
			return writeSource(ctx, tx, a.ID, source, st, next, found)
		})
		switch {
		case errors.Is(err, errRaced) && attempt < 3:
			continue
		case err != nil:
			return claim{}, err
		case refused != nil:
			return claim{}, refused
		}
		return c, nil
	}
}

// sourceSucceeded resets the source's state after a successful login,
// inside the login's write (another instance's claim meanwhile is simply
// overwritten: the login succeeded).
func (s *Service) sourceSucceeded(ctx context.Context, tx *store.Tx, accountID int64, source string, now time.Time) error {
	st := s.cfg.Lockout.Succeeded(now)
	_, err := tx.Exec(ctx, `INSERT INTO login_sources (account_id, source, `+sourceCols+`) VALUES (?, ?, 0, ?, 0, ?)
		ON CONFLICT (account_id, source) DO UPDATE SET failures = 0, last_attempt_at = excluded.last_attempt_at,
		locked_until = 0, last_success_at = excluded.last_success_at`,
		accountID, source, micros(st.LastAttempt), micros(st.LastSuccess))
	return err
}

// unlockSources lifts every per-source lock and wait of an account (an
// administrator's password reset unlocks the account).
func unlockSources(ctx context.Context, tx *store.Tx, accountID int64) error {
	_, err := tx.Exec(ctx, `UPDATE login_sources SET failures = 0, locked_until = 0 WHERE account_id = ?`, accountID)
	return err
}

// purgeSources deletes the rows that no longer matter at now: not locked,
// no attempt for a lock's length, and not a source the account logged in
// from within KnownFor.
func (s *Service) purgeSources(ctx context.Context, tx *store.Tx, now time.Time) error {
	pol := s.cfg.Lockout
	_, err := tx.Exec(ctx, `DELETE FROM login_sources WHERE locked_until <= ? AND last_attempt_at <= ? AND last_success_at <= ?`,
		store.Micros(now), store.Micros(now.Add(-pol.Duration)), store.Micros(now.Add(-pol.KnownFor)))
	return err
}
