package ratingdb

import (
	"context"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/rating"
)

// demoRatings is what the demo's applicants say, in turn: mostly good,
// every seventh bad, the bad ones' callbacks left at every stage.
var demoRatings = []struct {
	level   rating.Level
	comment string
}{
	{rating.VerySatisfied, "窗口人员态度热情，一次办好"},
	{rating.Satisfied, ""},
	{rating.VerySatisfied, "材料一次性告知，很清楚"},
	{rating.BasicallySatisfied, "等候时间稍长"},
	{rating.VerySatisfied, ""},
	{rating.Satisfied, "网上申请很方便"},
	{rating.Dissatisfied, "补正了两次材料，第一次没有说清楚。我的电话13800138000，请回电"},
	{rating.VerySatisfied, "提前办结了"},
	{rating.Satisfied, ""},
	{rating.VerySatisfied, ""},
	{rating.BasicallySatisfied, ""},
	{rating.Satisfied, "指南写得清楚"},
	{rating.VerySatisfied, ""},
	{rating.VeryDissatisfied, "窗口午休时间无人值守"},
}

// DemoRatings rates the demo's completed cases (up to n), two hours after
// each completed, deterministically, and takes the bad ratings' callbacks
// through every stage as office (the general office) and one appeal to a
// decision by supervisor: the demo's pages have something to show. A
// database with ratings already is left alone. It answers how many it
// rated.
func (s *Service) DemoRatings(ctx context.Context, n int, office, supervisor access.Principal) (int, error) {
	var have int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM ratings`).Scan(&have); err != nil || have > 0 {
		return 0, err
	}
	rows, err := s.db.Query(ctx, `SELECT number FROM cases WHERE status = 'completed' ORDER BY id LIMIT ?`, n)
	if err != nil {
		return 0, err
	}
	var numbers []string
	for rows.Next() {
		var number string
		if err := rows.Scan(&number); err != nil {
			rows.Close()
			return 0, err
		}
		numbers = append(numbers, number)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	bad := 0
	for i, number := range numbers {
		d := demoRatings[i%len(demoRatings)]
		at := s.now()
		sv, err := s.cases.Supervised(ctx, s.db, number)
		if err != nil {
			return 0, err
		}
		if sv.Case.Completion != nil && sv.Case.Completion.At.Before(at) {
			at = sv.Case.Completion.At.Add(2 * time.Hour)
			if now := s.now(); at.After(now) {
				at = now
			}
		}
		ch := []rating.Channel{rating.Kiosk, rating.Portal, rating.Link}[i%3]
		r, err := s.rateAt(ctx, number, ch, 0, d.level, d.comment, at, nil)
		if err != nil {
			return 0, err
		}
		if r.Callback == nil {
			continue
		}
		if err := s.demoCallback(ctx, r, bad, office, supervisor); err != nil {
			return 0, err
		}
		bad++
	}
	return len(numbers), nil
}

// demoCallback takes the bad-th bad rating's callback to one of the
// stages: open, called, verified, closed; appealed and waiting; appealed
// and upheld.
func (s *Service) demoCallback(ctx context.Context, r rating.Rating, bad int, office, supervisor access.Principal) error {
	base := int64(r.Version)
	step := func(st rating.Step) error {
		next, err := s.Callback(ctx, office, r.ID, base, st)
		base = int64(next.Version)
		return err
	}
	stage := bad % 6
	if stage >= 1 && stage <= 3 {
		if err := step(rating.Step{Action: "call", Text: "已电话回访申请人，了解具体情况"}); err != nil {
			return err
		}
	}
	if stage >= 2 && stage <= 3 {
		if err := step(rating.Step{Action: "verify", Text: "经核实，反映情况属实", Founded: true}); err != nil {
			return err
		}
	}
	if stage == 3 {
		return step(rating.Step{Action: "close", Text: "已对窗口人员进行提醒，完善一次性告知清单", Evidence: "整改记录（党政办 2026 第 3 号）"})
	}
	if stage >= 4 {
		next, err := s.Appeal(ctx, office, r.ID, base, rating.Mistaken, "申请人所评事项并非本单位办理，属误评")
		if err != nil || stage == 4 {
			return err
		}
		_, err = s.DecideAppeal(ctx, supervisor, r.ID, int64(next.Version), true, "经核实属误评，予以剔除")
		return err
	}
	return nil
}
