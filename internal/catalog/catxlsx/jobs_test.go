package catxlsx

import (
	"context"
	"sync/atomic"
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
	var done atomic.Int32
	for range MaxPendingPerOwner {
		job, err := j.Start(7, 1, "a.xlsx", []byte("junk"), func() { done.Add(1) })
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, job.ID)
	}
	if _, err := j.Start(7, 1, "b.xlsx", []byte("junk"), func() { t.Error("a refused job's done was called") }); apperr.CodeOf(err) != apperr.TooMany {
		t.Fatalf("third pending import: %v", err)
	}
	if _, err := j.Get(8, ids[0]); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("another user's job: %v", err)
	}
	if n := done.Load(); n != 0 {
		t.Fatalf("%d pending jobs said they were done", n)
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
	// done comes after the job finished: the import slot it frees is held
	// for the whole parse.
	for deadline := time.Now().Add(10 * time.Second); done.Load() < MaxPendingPerOwner && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := done.Load(); n != MaxPendingPerOwner {
		t.Fatalf("%d of %d finished jobs said they were done", n, MaxPendingPerOwner)
	}
}
