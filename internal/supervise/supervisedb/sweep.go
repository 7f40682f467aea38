package supervisedb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/notify/notifydb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/supervise"
)

// SweepBatch is how many due clocks one write of the sweep settles: the
// notices of one batch go out as one digest per person.
const SweepBatch = 256

// judged is what judging one case in a write found: the notices of its new
// cards and its next check instant (zero: none).
type judged struct {
	notices []supervise.Notice
	next    time.Time
	counts  supervise.Counts // how the counts must move, in the same write
}

// judge evaluates case number's time rules at now and, for each of
// events (committed events of the case, in order), its event rules, then
// stores the cards raised and cleared in tx. Cards already stored are the
// ledger: a card fires once. The counts' move is returned (judged.counts)
// for the caller to apply in the same write.
func (s *Service) judge(ctx context.Context, tx *store.Tx, number string, events []casework.Event, now time.Time) (judged, error) {
	sup, err := s.cases.Supervised(ctx, tx, number)
	if err != nil {
		return judged{}, err
	}
	c := sup.Case
	set, err := s.rulesAt(ctx, tx, c.Body.Path)
	if err != nil {
		return judged{}, err
	}
	stored, err := cardsOfCase(ctx, tx, number)
	if err != nil {
		return judged{}, err
	}
	ledger := supervise.Ledger{}
	for _, r := range stored {
		card, err := r.card()
		if err != nil {
			return judged{}, err
		}
		ledger[card.Key] = card
	}
	var raised []supervise.Card
	env := supervise.EventEnv{Flow: sup.Flow, Calendar: sup.Calendar, Standing: casework.Listed, Now: now}
	for _, e := range events {
		env.Standing = casework.Listed
		if e.From == "" || e.Action == "accept" || e.Action == casework.DeemAction {
			// C4 judges the item's standing when a case opens or is accepted.
			if env.Standing, err = s.cases.StandingAt(ctx, c, e.At); err != nil {
				return judged{}, err
			}
		}
		cs, err := supervise.EventCards(set, c, e, env)
		if err != nil {
			return judged{}, err
		}
		raised = append(raised, ledger.Raise(cs...)...)
	}
	var out judged
	var cleared []supervise.Cleared
	for _, sub := range supervise.CaseSubjects(c, sup.Events, sup.Flow) {
		res, err := supervise.Evaluate(set, sub, sup.Calendar, now, ledger.Of(sub.Object))
		if err != nil {
			return judged{}, err
		}
		raised = append(raised, ledger.Raise(res.Raise...)...)
		for _, cl := range ledger.ClearAt(res.Clear...) {
			cleared = append(cleared, supervise.Cleared{Key: cl.Key, At: cl.Cleared})
		}
		if !res.Next.IsZero() && (out.next.IsZero() || res.Next.Before(out.next)) {
			out.next = res.Next
		}
	}
	// An escalated case (case.escalated) clears when the case ends; its
	// raising is the order's check (a case's clock does not know the
	// order's deadline), so the earliest next check is not taken here.
	if c.Ended() {
		esc, err := s.escalations(ctx, tx, number, nil)
		if err != nil {
			return judged{}, err
		}
		for _, sub := range esc {
			res, err := supervise.Evaluate(set, sub, sup.Calendar, now, ledger.Of(sub.Object))
			if err != nil {
				return judged{}, err
			}
			raised = append(raised, ledger.Raise(res.Raise...)...)
			for _, cl := range ledger.ClearAt(res.Clear...) {
				cleared = append(cleared, supervise.Cleared{Key: cl.Key, At: cl.Cleared})
			}
		}
	}
	out.notices, out.counts, err = raiseCards(ctx, tx, c.Body.ID, raised, cleared, stored)
	return out, err
}

// Sweep raises the cards of every clock whose next check has come, under
// lease l: it reads only due clocks (caldb.Clocks.Due, an index range),
// settles each (Check), judges its case under the rules in force and
// stores the next check as the earlier of the clock's own and the rules'
// (supervise.NextCheck), in writes of SweepBatch clocks fenced by l, each
// with one digest per person through the outbox. A card's instant is its
// rule's however late the sweep runs; its raising time is now. It returns
// the number of clocks settled. Without a lease (tests, the simulator)
// its writes are not fenced.
func (s *Service) Sweep(ctx context.Context, l *store.Lease) (int, error) {
	s.forgetRules()
	now := s.now()
	settled := 0
	failed := map[int64]bool{}
	for {
		due, err := s.clocks.Due(ctx, now, SweepBatch)
		if err != nil {
			return settled, err
		}
		var todo []int64
		for _, d := range due {
			if !failed[d.ID] {
				todo = append(todo, d.ID)
			}
		}
		if len(todo) == 0 {
			break
		}
		if err := s.sweepBatch(ctx, l, todo, now); err != nil {
			if ctx.Err() != nil {
				return settled, ctx.Err()
			}
			// One bad case must not hold up the others: settle them one by
			// one and leave the failing ones for the next sweep.
			for _, id := range todo {
				if err := s.sweepBatch(ctx, l, []int64{id}, now); err != nil {
					if ctx.Err() != nil {
						return settled, ctx.Err()
					}
					slog.Error("supervise: sweep: clock not settled", "clock", id, "err", err)
					failed[id] = true
					continue
				}
				settled++
			}
		} else {
			settled += len(todo)
		}
		if len(due) < SweepBatch {
			break
		}
	}
	// Orders unanswered past their deadline (order.reminder, order.red).
	n, err := s.sweepOrders(ctx, l, now)
	if err != nil {
		return settled + n, err
	}
	// Rectification items open past their deadline (rectification.red).
	m, err := s.sweepRects(ctx, l, now)
	return settled + n + m, err
}

func (s *Service) sweepBatch(ctx context.Context, l *store.Lease, ids []int64, now time.Time) error {
	write := s.db.Write
	if l != nil {
		write = l.Write
	}
	return write(ctx, func(tx *store.Tx) error {
		var notices []supervise.Notice
		counts := supervise.Counts{}
		for _, id := range ids {
			ck, err := s.clocks.Check(ctx, tx, id, now)
			if err != nil {
				return err
			}
			if ck.Ref.ObjectType == objectComplaint {
				ns, err := s.settleComplaint(ctx, tx, ck.Ref.ObjectID, now)
				if err != nil {
					return err
				}
				notices = append(notices, ns...)
				continue
			}
			if ck.Ref.ObjectType == objectRating {
				ns, err := s.settleCallback(ctx, tx, ck.Ref.ObjectID, now)
				if err != nil {
					return err
				}
				notices = append(notices, ns...)
				continue
			}
			if ck.Ref.ObjectType != caseworkdb.ObjectCase {
				continue // not a case's, a complaint's or a callback's clock: nothing of supervision watches it yet
			}
			j, err := s.judge(ctx, tx, ck.Ref.ObjectID, nil, now)
			if err != nil {
				return err
			}
			notices = append(notices, j.notices...)
			counts.Apply(j.counts)
			s.clocks.CheckNoLaterThan(ctx, tx, id, j.next)
		}
		// The counts move once a write, by the batch's sum: one upsert a
		// (body, unit, level), not one a case.
		applyCounts(ctx, tx, counts)
		return s.tell(ctx, tx, notices)
	})
}

// RunSweep sweeps every `every` under the lease "supervise:sweep" until
// ctx ends: one instance sweeps at a time.
func (s *Service) RunSweep(ctx context.Context, every time.Duration) error {
	return s.db.RunPeriodic(ctx, "supervise:sweep", every, func(ctx context.Context, l *store.Lease) error {
		n, err := s.Sweep(ctx, l)
		if n > 0 {
			slog.Info("supervise: sweep", "clocks", n)
		}
		return err
	})
}

// Consumer is the consumer of committed case events (event rules: C4, H3,
// H6, a skipped step, a wrong role; and the case's time rules again, so a
// change of the case brings its next check forward where a rule needs).
func (s *Service) Consumer() store.Consumer {
	return store.Consumer{Name: "supervise", Handle: s.handle}
}

// RunConsumer runs the consumer until ctx ends.
func (s *Service) RunConsumer(ctx context.Context) error { return s.db.Consume(ctx, s.Consumer()) }

func (s *Service) handle(ctx context.Context, tx *store.Tx, events []store.Event) error {
	s.forgetRules()
	now := s.now()
	var order []string
	byCase := map[string][]casework.Event{}
	var complaints []string // rows of complaints that changed: their clocks' cards are judged again (cleared once fixed)
	var rated []string      // ratings that changed: a callback's card clears when it closes
	for _, e := range events {
		if e.ObjectType == objectComplaint && !slices.Contains(complaints, e.ObjectID) {
			complaints = append(complaints, e.ObjectID)
		}
		if e.ObjectType == objectRating && !slices.Contains(rated, e.ObjectID) {
			rated = append(rated, e.ObjectID)
		}
		if e.ObjectType != caseworkdb.ObjectCase || e.RootType != caseworkdb.ObjectCase {
			continue // the clock's, the outbox's and the cards' own events of a case
		}
		var ce casework.Event
		if err := json.Unmarshal(e.Payload, &ce); err != nil {
			return fmt.Errorf("supervisedb: event %d: %w", e.Seq, err)
		}
		if _, ok := byCase[e.RootID]; !ok {
			order = append(order, e.RootID)
		}
		byCase[e.RootID] = append(byCase[e.RootID], ce)
	}
	var notices []supervise.Notice
	counts := supervise.Counts{}
	for _, number := range order {
		j, err := s.judge(ctx, tx, number, byCase[number], now)
		if err != nil {
			return err
		}
		notices = append(notices, j.notices...)
		counts.Apply(j.counts)
		ck, err := s.clocks.Get(ctx, tx, caseworkdb.ClockRef(number))
		if err != nil {
			return err
		}
		s.clocks.CheckNoLaterThan(ctx, tx, ck.ID, j.next)
	}
	for _, id := range complaints {
		number, err := complaintNumber(ctx, tx, id)
		if err != nil {
			return err
		}
		if number == "" {
			continue // not a complaint row (rows are never deleted): nothing to judge
		}
		ns, err := s.settleComplaint(ctx, tx, number, now)
		if err != nil {
			return err
		}
		notices = append(notices, ns...)
	}
	for _, id := range rated {
		ns, err := s.settleCallback(ctx, tx, id, now)
		if err != nil {
			return err
		}
		notices = append(notices, ns...)
	}
	applyCounts(ctx, tx, counts)
	return s.tell(ctx, tx, notices)
}

// tell sends the notices of one write as one in-app digest per person and
// one email each to those with an address, through the outbox (same write).
func (s *Service) tell(ctx context.Context, tx *store.Tx, notices []supervise.Notice) error {
	return s.tellAs(ctx, tx, s.link, notices)
}

// tellAs is tell with the digests' items pointing at link.
func (s *Service) tellAs(ctx context.Context, tx *store.Tx, link string, notices []supervise.Notice) error {
	if len(notices) == 0 {
		return nil
	}
	// One audience is looked up once a write: a batch's notices name the
	// same few units and bodies again and again.
	type audience struct {
		audience supervise.Audience
		body     string
		unit     string
	}
	known := map[audience][]int64{}
	bundles, err := supervise.Digest(notices, func(r supervise.Recipient) ([]int64, error) {
		k := audience{r.Audience, r.BodyPath, r.Unit}
		if ids, ok := known[k]; ok {
			return ids, nil
		}
		ids, err := recipients(ctx, tx, r)
		if err != nil {
			return nil, err
		}
		known[k] = ids
		return ids, nil
	})
	if err != nil {
		return err
	}
	for _, b := range bundles {
		bodyID, phone, err := contactOf(ctx, tx, b.Staff)
		if err != nil {
			return err
		}
		for i, m := range supervise.Messages([]supervise.Bundle{b}, "zh", link) {
			m.BodyID, m.Cause = bodyID, "supervise.digest"
			m.DedupKey = fmt.Sprintf("supervise.digest:%d:%s:%d", b.Staff, digestKey(b), i)
			if err := notifydb.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		if phone == "" {
			continue // no number on record: the in-app digest tells them
		}
		m := notify.Text(phone, fmt.Sprintf("【电子监察】您有%d条新提醒，首条：%s（%s）。请登录系统查看。",
			len(b.Notices), b.Notices[0].Title.In("zh"), b.Notices[0].Object.ID))
		m.BodyID, m.Cause = bodyID, "supervise.digest"
		m.DedupKey = fmt.Sprintf("supervise.digest:%d:%s:sms", b.Staff, digestKey(b))
		if err := notifydb.Enqueue(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// digestKey names what a bundle tells (each notice's action, object,
// level and instant): the same bundle for the same person is sent once,
// whichever sweep or consumer found it, and different ones never collide.
func digestKey(b supervise.Bundle) string {
	h := sha256.New()
	for _, n := range b.Notices {
		fmt.Fprintf(h, "%s|%s|%s|%d\n", n.Action, n.Object, n.Level, n.At.UnixMicro())
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
