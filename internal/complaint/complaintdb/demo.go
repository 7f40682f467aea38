package complaintdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/store"
)

// demoStage is how far a demo complaint got.
type demoStage int

const (
	stageReceived demoStage = iota
	stageRefused
	stageAccepted
	stageAssigned
	stageInvestigating
	stageFound
	stageAnswered
	stageReviewed
	stageCount
)

var demoFacts = []string{
	"办理个体工商户登记时，窗口要求提供已经取消的居委会证明。",
	"申请户外广告设置许可，超过承诺时限仍未办结，也无人说明原因。",
	"执法人员检查时未出示执法证件，态度生硬。",
	"同一材料被要求补正了三次，每次告知的内容都不一样。",
	"窗口工作时间无人值守，等候一个多小时。",
	"咨询办事流程时被告知“去别的部门问”，来回跑了四趟。",
}

// DemoComplaints files n demo complaints (about three dozen is plenty)
// to the district over the working days before now and takes each to a
// stage of its own — received (some already late), refused, accepted,
// with investigators, investigating, found, answered, under review — with
// three verified complaints against one staff member of the window this
// year, so the tally shows P9's consequence. Deterministic; nothing is
// done when complaints exist already.
func DemoComplaints(ctx context.Context, db *store.DB, cals *caldb.Service, docs *documentdb.Service, now time.Time, n int) (int, error) {
	var have int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM complaints`).Scan(&have); err != nil {
		return 0, fmt.Errorf("complaintdb: demo: %w", err)
	}
	if have > 0 || n <= 0 {
		return 0, nil
	}
	var bodyID int64
	err := db.QueryRow(ctx, `SELECT id FROM bodies WHERE code = '330199'`).Scan(&bodyID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil // not the demo organisation
	}
	if err != nil {
		return 0, fmt.Errorf("complaintdb: demo: %w", err)
	}
	who := func(name string) (access.Principal, error) {
		var p access.Principal
		var unit sql.NullInt64
		var path string
		err := db.QueryRow(ctx, `SELECT s.id, s.unit_id, b.path FROM staff s JOIN bodies b ON b.id = s.body_id WHERE s.name = ? AND s.body_id = ?`,
			name, bodyID).Scan(&p.StaffID, &unit, &path)
		if err != nil {
			return p, fmt.Errorf("complaintdb: demo staff %s: %w", name, err)
		}
		p.AccountID, p.Login, p.Name, p.BodyID, p.BodyPath, p.UnitID = p.StaffID+1000, "demo", name, bodyID, path, unit.Int64
		p.Roles = []access.Role{access.RoleGeneralOffice, access.RoleSupervisor}
		return p, nil
	}
	office, err := who("周文")
	if err != nil {
		return 0, err
	}
	director, err := who("孙建国")
	if err != nil {
		return 0, err
	}
	inv2, err := who("钱正")
	if err != nil {
		return 0, err
	}
	window, err := who("陈晓") // window1 of 便民服务中心窗口: the P9 example
	if err != nil {
		return 0, err
	}
	cal, err := cals.Calendar(ctx, bodyID)
	if err != nil {
		return 0, err
	}
	clock := now
	rnd := rand.New(rand.NewPCG(17, 2026))
	s := New(db, cals, Options{Now: func() time.Time { return clock }, Random: demoRandom{rnd}, Documents: docs})
	at := func(workingDaysAgo int, hour int) (time.Time, error) {
		d, err := cal.AddWorkingDays(cal.Date(now), -workingDaysAgo)
		if err != nil {
			return time.Time{}, err
		}
		t := d.Start(cal.Location()).Add(time.Duration(hour) * time.Hour)
		if t.After(now) {
			t = now // today's come in before now
		}
		return t, nil
	}
	units := []string{"ZHZF", "SCJG", "BMFW", "ZRZY"}
	made := 0
	for i := range n {
		stage := demoStage(i % int(stageCount))
		// Older complaints got further; the three verified ones against
		// 陈晓 come first (they are answered).
		ago := 3 + (n-i)*2/3
		if stage == stageReceived {
			ago = (i / int(stageCount)) % 4 // some within their two days, some past them
		}
		t, err := at(ago, 9+i%7)
		if err != nil {
			return made, err
		}
		clock = t
		f := complaint.Filing{Target: complaint.Target{Kind: complaint.TargetUnit, Unit: units[i%len(units)]},
			Ground: complaint.Grounds[i%len(complaint.Grounds)], Facts: demoFacts[i%len(demoFacts)],
			Complainant: complaint.Complainant{Name: []string{"王五", "赵六", "孙七", "周八", "吴九"}[i%5], Phone: fmt.Sprintf("1381234%04d", 1000+i)}}
		verified := i%2 == 0
		if i < 3 {
			stage, verified = stageAnswered, true
			f.Target = complaint.Target{Kind: complaint.TargetStaff, StaffID: window.StaffID}
			f.Ground = complaint.NeedlessDocuments
		}
		if i%6 == 5 {
			f.Complainant = complaint.Complainant{Anonymous: true}
		}
		p := access.Principal{}
		if i%4 == 1 {
			p, f.Channel = office, []complaint.Channel{complaint.Phone, complaint.Letter, complaint.Email, complaint.InPerson}[i%4]
		}
		filed, err := s.File(ctx, p, bodyID, f)
		if err != nil {
			return made, fmt.Errorf("complaintdb: demo complaint %d: %w", i, err)
		}
		made++
		num := filed.Complaint.Number
		step := func(by access.Principal, days int, a Action) error {
			if clock, err = at(max(ago-days, 0), 10+i%6); err != nil {
				return err
			}
			if _, err := s.Act(ctx, by, num, 0, a); err != nil {
				return fmt.Errorf("complaintdb: demo complaint %s %s: %w", num, a.Action, err)
			}
			return nil
		}
		if stage == stageReceived {
			continue
		}
		acceptAfter := 1 + i%3 // every third accepted on its third working day: late (P4)
		if stage == stageRefused {
			if err := step(office, acceptAfter, Action{Action: "refuse", Reason: string(complaint.RefusalReasons[i%len(complaint.RefusalReasons)]),
				Text: "经审查，该投诉事项已由区级相关部门依法处理，本机关不再重复受理。"}); err != nil {
				return made, err
			}
			continue
		}
		if err := step(office, acceptAfter, Action{Action: "accept", Mode: string(complaint.Modes[i%len(complaint.Modes)])}); err != nil {
			return made, err
		}
		if stage == stageAccepted {
			continue
		}
		if err := step(office, acceptAfter+1, Action{Action: "assign", Investigators: []int64{director.StaffID, inv2.StaffID}}); err != nil {
			return made, err
		}
		if stage == stageAssigned {
			continue
		}
		for _, inv := range []access.Principal{director, inv2} {
			if err := step(inv, acceptAfter+1, Action{Action: "declare"}); err != nil {
				return made, err
			}
		}
		if i%5 == 0 {
			if err := step(director, acceptAfter+2, Action{Action: "extend", Days: 10, Reason: "需调取有关单位的办件记录，情况较复杂。"}); err != nil {
				return made, err
			}
		}
		if stage == stageInvestigating {
			continue
		}
		find := Action{Action: "find", Findings: "经调阅办件记录并询问当事人，投诉反映的情况属实。", Verified: true, Outcomes: []string{"interview", "written_self_examination"}}
		if !verified {
			find = Action{Action: "find", Findings: "经调阅办件记录并询问当事人，投诉反映的情况不属实。"}
		}
		if err := step(inv2, acceptAfter+4, find); err != nil {
			return made, err
		}
		if stage == stageFound {
			continue
		}
		if err := step(office, acceptAfter+6, Action{Action: "answer", Text: "您好，经调查核实，" + find.Findings + "感谢您对我们工作的监督。"}); err != nil {
			return made, err
		}
		if stage == stageReviewed {
			if clock = clock.Add(24 * time.Hour); clock.After(now) {
				clock = now
			}
			if _, err := s.RequestReview(ctx, num, filed.QueryCode, "对处理结果不满意，请求上级复核。"); err != nil {
				return made, fmt.Errorf("complaintdb: demo complaint %s review: %w", num, err)
			}
		}
	}
	return made, nil
}

// demoRandom draws the demo's query codes from a seeded generator.
type demoRandom struct{ r *rand.Rand }

func (d demoRandom) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(d.r.Uint32())
	}
	return len(p), nil
}
