package catxlsx

import (
	"context"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// TestJobs: a job parses in the background, only its owner sees it, and
// one user cannot queue more than MaxPendingPerOwner unfinished imports.
func TestJobs(t *testing.T) {
	j := NewJobs(1, time.Minute)
	// Hold the only parse slot so started jobs stay pending.
	j.sem <- struct{}{}
	var ids []string
	for range MaxPendingPerOwner {
		job, err := j.Start(7, 1, "a.xlsx", []byte("junk"))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, job.ID)
	}
	if _, err := j.Start(7, 1, "b.xlsx", []byte("junk")); apperr.CodeOf(err) != apperr.TooMany {
		t.Fatalf("third pending import: %v", err)
	}
	if _, err := j.Get(8, ids[0]); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("another user's job: %v", err)
	}
	<-j.sem
	job, err := j.Get(7, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := job.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	st := job.State()
	if !st.Finished || st.Book != nil || st.Err == nil || st.Percent() != 100 {
		t.Fatalf("finished junk job: %+v", st)
	}
}
