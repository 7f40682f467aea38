package catdb

import (
	"context"
	"fmt"
	"strconv"
)

// ChangedItems names the items whose published state changed in the events
// after seq: every publication emits catalog.item.created or
// catalog.item.updated for each item it changes (store), so readers that
// keep pages of the published list in memory (the portal) learn what to
// render anew from the audit log itself, not from a counter kept on the
// items. upto is the newest event seq now (-1 for an empty log): pass it
// back next time. The events' seq is handed out under the audit head's
// lock as each group commits, so it grows in commit order even when two
// instances publish at once: an event after seq cannot become visible
// after a reader has seen a later one. At most limit ids come back;
// more says there were more.
func (s *Service) ChangedItems(ctx context.Context, seq int64, limit int) (ids []int64, upto int64, more bool, err error) {
	if err := s.db.QueryRow(ctx, `SELECT COALESCE(MAX(seq), -1) FROM events`).Scan(&upto); err != nil {
		return nil, 0, false, fmt.Errorf("catdb: changed items: %w", err)
	}
	if upto <= seq {
		return nil, upto, false, nil
	}
	rows, err := s.db.Query(ctx, `SELECT DISTINCT object_id FROM events WHERE seq > ? AND seq <= ? AND object_type = ? LIMIT ?`,
		seq, upto, ObjItem, limit+1)
	if err != nil {
		return nil, 0, false, fmt.Errorf("catdb: changed items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var obj string
		if err := rows.Scan(&obj); err != nil {
			return nil, 0, false, fmt.Errorf("catdb: changed items: %w", err)
		}
		id, err := strconv.ParseInt(obj, 10, 64)
		if err != nil {
			return nil, 0, false, fmt.Errorf("catdb: changed items: object id %q: %w", obj, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, false, fmt.Errorf("catdb: changed items: %w", err)
	}
	if len(ids) > limit {
		return ids[:limit], upto, true, nil
	}
	return ids, upto, false, nil
}
