package notify

import (
	"context"
	"errors"
	"time"
)

// Delivery is a message as a channel sends it: with its stable id (the
// same on every attempt, for the receiver to dedupe on) and the instant it
// was enqueued.
type Delivery struct {
	ID string
	Message
	CreatedAt time.Time
}

// Sender sends deliveries of one channel (Mailer, SMSGateway).
type Sender interface {
	Send(ctx context.Context, d Delivery) error
}

// permanentError is a failure that another attempt cannot mend.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure no retry can mend (a mail server's 5xx
// answer, an unknown endpoint): the deliverer moves the message to the dead
// letters at once, where an administrator retries it once the cause is
// fixed.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Retry is the schedule of attempts: after the nth failed attempt the next
// comes after Base·2^(n-1), at most Max, with jitter; after MaxAttempts
// failures the message is dead.
type Retry struct {
	Base        time.Duration
	Max         time.Duration
	MaxAttempts int
}

// DefaultRetry: 30 s, 1 min, 2 min … up to 1 h, eight attempts over about
// two hours.
var DefaultRetry = Retry{Base: 30 * time.Second, Max: time.Hour, MaxAttempts: 8}

// Check refuses a schedule that would retry at once or never try.
func (r Retry) Check() error {
	if r.Base <= 0 || r.Max < r.Base {
		return invalid("backoff", "backoff.range")
	}
	if r.MaxAttempts < 1 || r.MaxAttempts > 100 {
		return invalid("max_attempts", "attempts.range")
	}
	return nil
}

// Delay is the wait after failed attempt n (1 for the first), given a
// random jitter in [0, 1): between half and all of the exponential delay
// ("equal jitter"), so receivers that came back are not hit by every
// sender at the same instant, and no retry comes sooner than half its
// step.
func (r Retry) Delay(n int, jitter float64) time.Duration {
	d := r.Base
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	half := d / 2
	return half + time.Duration(float64(d-half)*jitter)
}

// GivesUp reports whether failed attempt n was the last.
func (r Retry) GivesUp(n int) bool { return n >= r.MaxAttempts }
