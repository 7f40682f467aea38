package main

import (
	"context"
	"fmt"

	"github.com/qingdan/qingdan/internal/accountability/accountabilitydb"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/store"
)

// demoRatingsAndRecords gives the demo's pages of ratings (L8) and
// accountability (A1, A2) something to show: ratings of the first
// completed demo cases, the bad ones' callbacks at every stage, one
// appeal waiting and one upheld; two accountability records. It leaves a
// database that has them alone.
func demoRatingsAndRecords(ctx context.Context, db *store.DB, ratings *ratingdb.Service, records *accountabilitydb.Service) (int, error) {
	office, err := principalOf(ctx, db, "office1")
	if err != nil {
		return 0, err
	}
	sup, err := principalOf(ctx, db, "supervisor1")
	if err != nil {
		return 0, err
	}
	n, err := ratings.DemoRatings(ctx, 60, office, sup)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", t("qingdan.demo_ratings"), err)
	}
	person, err := principalOf(ctx, db, "unit1")
	if err != nil {
		return 0, err
	}
	window, err := principalOf(ctx, db, "window1")
	if err != nil {
		return 0, err
	}
	if err := records.Demo(ctx, sup, person, window); err != nil {
		return 0, fmt.Errorf("%s: %w", t("qingdan.demo_accountability_records"), err)
	}
	return n, nil
}
