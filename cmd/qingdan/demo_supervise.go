package main

import (
	"context"
	"fmt"

	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// demoRectifications gives the demo's rectification list something to
// show (S8, S7): external1 recorded as a people's congress deputy, an
// inspection's finding at the service centre's window and external1's
// report about the enforcement team. Once: nothing is added to a list that
// has items.
func demoRectifications(ctx context.Context, a *app) error {
	var n int
	if err := a.db.QueryRow(ctx, `SELECT count(*) FROM supervise_rectifications`).Scan(&n); err != nil || n > 0 {
		return err
	}
	admin, err := principalOf(ctx, a.db, "admin")
	if err != nil {
		return err
	}
	sup, err := principalOf(ctx, a.db, "supervisor1")
	if err != nil {
		return err
	}
	ext, err := principalOf(ctx, a.db, "external1")
	if err != nil {
		return err
	}
	if _, err := supervisedb.ExternalKindOf(ctx, a.db, ext.StaffID); err != nil {
		if err := a.sup.SetExternalKind(ctx, admin, ext.StaffID, 0, "deputy"); err != nil {
			return fmt.Errorf("demo: external1's kind: %w", err)
		}
	}
	if _, err := a.sup.OpenRectification(ctx, sup, supervisedb.Problem{Source: supervise.FromInspection, Ref: "第四季度窗口服务检查",
		Problem: "窗口一次性告知单仍为旧版，未按新版权责清单更新办理时限", Unit: "BMFW"}); err != nil {
		return fmt.Errorf("demo: an inspection's item: %w", err)
	}
	if _, err := a.sup.OpenRectification(ctx, ext, supervisedb.Problem{Source: supervise.FromExternal,
		Problem: "群众反映户外广告设置许可办理进度查询不到，电话无人接听", Unit: "ZHZF"}); err != nil {
		return fmt.Errorf("demo: an external supervisor's report: %w", err)
	}
	return nil
}
