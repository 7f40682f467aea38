package notifydb

import (
	"context"
	"time"

	"github.com/qingdan/qingdan/internal/store"
)

// PassForTest makes one delivery pass under l, at the deliverer's clock.
func (d *Deliverer) PassForTest(ctx context.Context, l *store.Lease) (int, error) {
	return d.pass(ctx, l)
}

// SetClockForTest sets the clock of retries and read marks.
func (s *Service) SetClockForTest(now func() time.Time) { s.now = now }

// The deliverer's reads of what is due, for their query plans.
const (
	DueSQL     = dueSQL
	NextDueSQL = nextDueSQL
)
