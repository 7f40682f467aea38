package catalog

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
)

const testCredit = "11410199005100019U" // passes the GB 32100 check

var shanghai = time.FixedZone("CST", 8*3600)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, shanghai) }

// validItem is a complete licensing item, built here rather than taken from
// the demo so rule tests do not depend on demo data.
func validItem() ItemVersion {
	return ItemVersion{
		BaseCode: "0100001000", ImplCode: testCredit + "0100001000" + "00",
		Name: "食品经营许可", Category: Licensing, Status: StatusDraft,
		LegalBases: []LegalBasis{{Law: "《中华人民共和国食品安全法》", Article: "第三十五条", Text: "国家对食品生产经营实行许可制度。"}},
		Body:       Body{Name: "青山区市场监督管理局", CreditCode: testCredit, Nature: StatutoryBody, Level: LevelDistrict},
		Unit:       "行政审批科",
		Conditions: []string{"已取得营业执照", "具有与经营的食品品种相适应的经营场所"},
		Materials: []Material{
			{Name: "食品经营许可申请书", Necessity: Required, Kind: Original, Count: 1, Form: Paper, Source: FromApplicant, SampleForm: "申请书样表.pdf"},
			{Name: "营业执照", Necessity: Required, Kind: Copy, Count: 1, Form: Paper, Source: FromGovernment, SourceNote: "市场监督管理部门核发"},
			{Name: "经营场所使用证明", Necessity: Required, Kind: Copy, Count: 1, Form: PaperAndElectronic, Source: FromApplicant},
		},
		StatutoryLimit: &TimeLimit{20, WorkingDays},
		PromisedLimit:  TimeLimit{10, WorkingDays},
		CaseType:       Promised,
		Visits:         1,
		Online:         Online{Guide: true, Forms: true, Consultation: true, Booking: true, PartialUpload: true, PreReview: true, FullUpload: true, OnlineReview: true},
		Fee:            Fee{Charged: true, Items: []FeeItem{{Name: "证书工本费", Basis: "某收费文件", Standard: "每证10元", MinFen: 1000, MaxFen: 1000, Per: "每证"}}},
		Steps: []Step{
			{Key: "accept", Name: "受理", Role: access.RoleWindow, Limit: TimeLimit{0, WorkingDays},
				Checks: []SupervisionPoint{{CheckDocuments, "出具受理通知书"}}},
			{Key: "review", Name: "审查", Role: access.RoleUnitStaff, Limit: TimeLimit{7, WorkingDays},
				Risks:  []RiskPoint{{RiskHigh, "降低审查标准", "审查意见逐项记录"}},
				Checks: []SupervisionPoint{{CheckTimeLimit, "审查时限"}}},
			{Key: "decide", Name: "决定", Role: access.RoleUnitStaff, Head: true, Limit: TimeLimit{2, WorkingDays},
				Risks:  []RiskPoint{{RiskMedium, "不予许可未说明理由", "统一文书"}},
				Checks: []SupervisionPoint{{CheckTimeLimit, "决定时限"}, {CheckRecusal, "回避"}}},
		},
		ConsultPhone: "0371-66120105", ComplaintOffice: "青山区政务服务改革管理办公室", ComplaintPhone: "0371-66120345",
		Hours: "周一至周五 8:30—17:30", Address: "青山区人民路88号",
		Duties:         []string{"受理责任", "审查责任"},
		Accountability: []string{"对符合法定条件的申请不予受理的"},
	}
}

// fields returns the Field of every error in err (an apperr.List or one
// *apperr.Error), failing the test when an error lacks either language.
func fields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var list apperr.List
	if !errors.As(err, &list) {
		list = apperr.List{apperr.As(err)}
	}
	var out []string
	for _, e := range list {
		if e.Message("zh") == "" || e.Message("en") == "" {
			t.Errorf("error %q lacks a language", e.Error())
		}
		out = append(out, e.Field)
	}
	return out
}

func hasField(t *testing.T, err error, field string) bool {
	t.Helper()
	return slices.Contains(fields(t, err), field)
}
