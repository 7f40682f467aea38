package supervisedb

import (
	"context"

	"github.com/qingdan/qingdan/internal/store"
)

// CatchUp hands the events from seq from on to the consumer's handler in
// one write, as db.Consume would, and returns the seq after the last.
func (s *Service) CatchUp(ctx context.Context, from int64) (int64, error) {
	evs, err := s.db.Events(ctx, store.EventFilter{FromSeq: from, Limit: 10000})
	if err != nil || len(evs) == 0 {
		return from, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error { return s.handle(ctx, tx, evs) })
	return evs[len(evs)-1].Seq + 1, err
}
