package catxlsx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Jobs runs imports in the background so a page can show their progress
// (htmx polls the job) and keeps each result for a while, so the preview's
// "create draft adjustment" button acts on exactly the file previewed.
// Jobs live in memory: a restart forgets them, and the user uploads again.
type Jobs struct {
	mu   sync.Mutex
	jobs map[string]*Job
	sem  chan struct{}
	keep time.Duration
	now  func() time.Time
}

// NewJobs returns a job table running at most parallel parses at once (the
// others wait their turn, shown as queued) and keeping finished jobs for
// keep.
func NewJobs(parallel int, keep time.Duration) *Jobs {
	if parallel < 1 {
		parallel = 1
	}
	return &Jobs{jobs: map[string]*Job{}, sem: make(chan struct{}, parallel), keep: keep, now: time.Now}
}

// MaxPendingPerOwner is how many unfinished imports one user may have.
const MaxPendingPerOwner = 2

// Job is one import: who started it, for which body, and how far it got.
type Job struct {
	ID       string
	Owner    int64 // account ID; only the owner sees the job
	BodyID   int64
	FileName string

	mu       sync.Mutex
	started  bool
	done     int
	total    int
	finished time.Time
	book     *Book
	err      error
	doneCh   chan struct{}
}

// JobState is a snapshot of a job.
type JobState struct {
	ID       string
	BodyID   int64
	FileName string
	Started  bool // false: queued behind other imports
	Done     int
	Total    int
	Finished bool
	Book     *Book // the parsed file, when it parsed
	Err      error // the file's errors (apperr.List) or a failure
}

// Percent is the progress in whole percent (99 until finished).
func (s JobState) Percent() int {
	switch {
	case s.Finished:
		return 100
	case s.Total <= 0:
		return 0
	}
	return min(s.Done*100/s.Total, 99)
}

// Start parses data in the background and returns the job at once. done,
// when not nil, is called once the job has finished (the server's import
// slot, held until the parse ends); when Start fails it is not called.
func (j *Jobs) Start(owner, bodyID int64, fileName string, data []byte, done func()) (*Job, error) {
	id, err := newID()
	if err != nil {
		return nil, err
	}
	job := &Job{ID: id, Owner: owner, BodyID: bodyID, FileName: fileName, doneCh: make(chan struct{})}
	j.mu.Lock()
	j.sweep()
	// Each waiting upload holds its file in memory: bound how many wait.
	mine, all := 0, 0
	for _, other := range j.jobs {
		if !other.State().Finished {
			all++
			if other.Owner == owner {
				mine++
			}
		}
	}
	if mine >= MaxPendingPerOwner || all >= cap(j.sem)*MaxPendingPerOwner*2 {
		j.mu.Unlock()
		return nil, apperr.New(apperr.TooMany, "file", "catxlsx.too_many_imports_are_being_checked")
	}
	j.jobs[id] = job
	j.mu.Unlock()
	go j.run(job, data, done)
	return job, nil
}

func (j *Jobs) run(job *Job, data []byte, done func()) {
	if done != nil {
		defer done()
	}
	j.sem <- struct{}{}
	defer func() { <-j.sem }()
	job.mu.Lock()
	job.started = true
	job.mu.Unlock()
	book, err := ParseBook(bytes.NewReader(data), int64(len(data)), func(done, total int) {
		job.mu.Lock()
		job.done, job.total = done, total
		job.mu.Unlock()
	})
	job.mu.Lock()
	job.book, job.err = book, err
	job.finished = j.now()
	job.mu.Unlock()
	close(job.doneCh)
}

// Get returns the job of owner with that ID; another's or an expired job is
// NotFound.
func (j *Jobs) Get(owner int64, id string) (*Job, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	job := j.jobs[id]
	if job == nil || job.Owner != owner {
		return nil, apperr.NotFoundf("catxlsx.the_import_does_not_exist_or")
	}
	return job, nil
}

// Wait blocks until the job finishes or ctx ends.
func (job *Job) Wait(ctx context.Context) error {
	select {
	case <-job.doneCh:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// State returns a snapshot.
func (job *Job) State() JobState {
	job.mu.Lock()
	defer job.mu.Unlock()
	return JobState{ID: job.ID, BodyID: job.BodyID, FileName: job.FileName, Started: job.started,
		Done: job.done, Total: job.total, Finished: !job.finished.IsZero(), Book: job.book, Err: job.err}
}

// sweep forgets jobs finished longer than keep ago. Called with j.mu held.
func (j *Jobs) sweep() {
	cut := j.now().Add(-j.keep)
	for id, job := range j.jobs {
		job.mu.Lock()
		old := !job.finished.IsZero() && job.finished.Before(cut)
		job.mu.Unlock()
		if old {
			delete(j.jobs, id)
		}
	}
}

func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
