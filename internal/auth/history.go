package auth

import (
	"context"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// A new password may not repeat any of the account's last PasswordHistory
// passwords: the current one, whose hash is in accounts, and the ones
// before it, whose argon2id hashes are kept in password_history (at most
// PasswordHistory-1 an account). History is not audited: it holds no
// power, only what a new password is compared with.

// newPasswordHash checks password against the rules (for the account's
// login and the person's name) and against its recent passwords (current
// is the hash in use), and returns its hash. Errors name the field
// "password".
func (s *Service) newPasswordHash(ctx context.Context, a Account, current, name, password string) (string, error) {
	if err := CheckPasswordRules(a.Login, name, password); err != nil {
		return "", err
	}
	rows, err := s.db.Query(ctx, `SELECT password_hash FROM password_history WHERE account_id = ? ORDER BY id DESC LIMIT ?`,
		a.ID, PasswordHistory-1)
	if err != nil {
		return "", err
	}
	recent := []string{current}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return "", err
		}
		recent = append(recent, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", err
	}
	for _, h := range recent {
		same, err := s.hasher.Verify(ctx, password, h)
		if err != nil {
			return "", err
		}
		if same {
			return "", apperr.Invalidf("password", "auth.the_new_password_cannot_be_one", PasswordHistory)
		}
	}
	return s.hasher.Hash(ctx, password)
}

// rememberPassword keeps the hash a password change replaced, and forgets
// the ones beyond the history.
func rememberPassword(ctx context.Context, tx *store.Tx, accountID int64, replaced string, now time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO password_history (account_id, password_hash, replaced_at) VALUES (?, ?, ?)`,
		accountID, replaced, store.Micros(now)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM password_history WHERE account_id = ? AND id NOT IN
		(SELECT id FROM password_history WHERE account_id = ? ORDER BY id DESC LIMIT ?)`, accountID, accountID, PasswordHistory-1)
	return err
}
