package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/snapshop/snapshop/app"
	"github.com/snapshop/snapshop/app/store"
)

// Workers process queued jobs with a bounded pool: at most Count images are
// decoded at once, whatever the upload rate.
type Workers struct {
	Catalog     *Service
	DB          *store.DB
	Count       int           // zero: one per core
	Lease       time.Duration // zero: 2 minutes, renewed while a job runs
	Poll        time.Duration // zero: 2 seconds (workers are also woken on upload)
	MaxAttempts int           // zero: 5
	RetryBase   time.Duration // first retry delay, doubling per attempt; zero: 1 second
	Logger      *slog.Logger
}

func (w *Workers) defaults() {
	if w.Count <= 0 {
		w.Count = runtime.NumCPU()
	}
	if w.Lease == 0 {
		w.Lease = 2 * time.Minute
	}
	if w.Poll == 0 {
		w.Poll = 2 * time.Second
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 5
	}
	if w.RetryBase == 0 {
		w.RetryBase = time.Second
	}
	if w.Logger == nil {
		w.Logger = slog.New(slog.DiscardHandler)
	}
}

// Run processes jobs until ctx is cancelled. At start it returns jobs that a
// previous run of this process left running to the queue: on SQLite all of
// them, since one process owns the database; on PostgreSQL, where other
// processes may be running them, those of dead processes on this host (see
// requeueDead), the others' leases expiring instead.
func (w *Workers) Run(ctx context.Context) error {
	w.defaults()
	if n, err := w.DB.RequeueRunningJobs(ctx); err != nil {
		if ctx.Err() != nil {
			return nil //nolint:nilerr // shut down before the workers started: nothing to do, nothing lost
		}
		return err
	} else if n > 0 {
		w.Logger.InfoContext(ctx, "requeued interrupted jobs", "count", n)
	}
	host, _ := os.Hostname()
	w.requeueDead(ctx, host)
	var wg sync.WaitGroup
	for i := range w.Count {
		id := fmt.Sprintf("%s:%d:%s:%d", host, os.Getpid(), app.RandomToken(3), i)
		wg.Go(func() { w.loop(ctx, id) })
	}
	wg.Wait()
	return nil
}

// requeueDead returns to the queue the running jobs of workers that ran on
// this host in a process that no longer exists, or in an earlier life of
// this one's process ID (a restarted container is PID 1 again): after a
// crash their images would otherwise wait out the lease. A misjudged worker
// (another PID namespace under the same host name) only costs a job run
// twice, which is idempotent.
func (w *Workers) requeueDead(ctx context.Context, host string) {
	owners, err := w.DB.RunningJobOwners(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.Logger.WarnContext(ctx, "list running jobs", "err", err)
		}
		return
	}
	var dead []string
	for _, o := range owners {
		if workerDead(o, host) {
			dead = append(dead, o)
		}
	}
	n, err := w.DB.RequeueJobsOf(ctx, dead)
	switch {
	case err != nil && ctx.Err() == nil:
		w.Logger.WarnContext(ctx, "requeue jobs of dead workers", "err", err)
	case n > 0:
		w.Logger.InfoContext(ctx, "requeued jobs of dead workers", "count", n, "workers", dead)
	}
}

// workerDead reports whether a worker ID ("host:pid:token:n", see Run)
// names a worker on host whose process is gone. Called before this
// process's workers start, so a worker with this process's ID is from an
// earlier life of it.
func workerDead(id, host string) bool {
	parts := strings.Split(id, ":")
	if len(parts) < 4 || host == "" || strings.Join(parts[:len(parts)-3], ":") != host {
		return false
	}
	pid, err := strconv.Atoi(parts[len(parts)-3])
	if err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return errors.Is(err, os.ErrProcessDone)
	}
	err = p.Signal(syscall.Signal(0))
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH)
}

func (w *Workers) loop(ctx context.Context, id string) {
	for ctx.Err() == nil {
		job, err := w.DB.ClaimJob(ctx, id, w.Lease)
		if err != nil && ctx.Err() == nil {
			w.Logger.WarnContext(ctx, "claim job", "worker", id, "err", err)
		}
		if job == nil {
			select {
			case <-ctx.Done():
			case <-w.Catalog.wake:
			case <-time.After(w.Poll):
			}
			continue
		}
		w.run(ctx, id, job)
	}
}

// run does one job, renewing its lease while it works, and records the
// outcome: done, retried later with back-off, or failed for good.
func (w *Workers) run(ctx context.Context, worker string, job *app.Job) {
	jobCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(w.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-jobCtx.Done():
				return
			case <-t.C:
				if err := w.DB.ExtendJobLease(jobCtx, job.ID, worker, w.Lease); err != nil && jobCtx.Err() == nil {
					w.Logger.WarnContext(jobCtx, "lost job lease", "job", job.ID, "err", err)
					cancel()
					return
				}
			}
		}
	}()
	start := time.Now()
	err := w.Catalog.handle(jobCtx, job)
	log := w.Logger.With("job", job.ID, "kind", job.Kind, "attempt", job.Attempts, "dur_ms", time.Since(start).Milliseconds())
	// Outcomes are written even while shutting down: the database outlives
	// the workers.
	bg := context.WithoutCancel(ctx)
	var perm permanentError
	switch {
	case err == nil:
		log.InfoContext(ctx, "job done")
	case ctx.Err() != nil:
		// Shutting down: hand the job straight back to the queue.
		if rerr := w.DB.RetryJob(bg, job.ID, time.Now(), "interrupted by shutdown"); rerr != nil {
			log.ErrorContext(bg, "requeue job", "err", rerr)
		}
	case errors.As(err, &perm) || job.Attempts >= w.MaxAttempts:
		log.WarnContext(ctx, "job failed", "err", err)
		reason := fmt.Sprintf("Processing failed after %d attempts; please upload the file again.", job.Attempts)
		if errors.As(err, &perm) {
			reason = capitalize(perm.Error()) + "."
		}
		if ferr := w.Catalog.fail(bg, job, reason); ferr != nil {
			log.ErrorContext(bg, "record job failure", "err", ferr)
		}
	default:
		backoff := w.RetryBase << min(job.Attempts-1, 8)
		log.WarnContext(ctx, "job will be retried", "err", err, "in", backoff.String())
		if rerr := w.DB.RetryJob(bg, job.ID, time.Now().Add(backoff), err.Error()); rerr != nil {
			log.ErrorContext(bg, "retry job", "err", rerr)
		}
	}
}

// handle runs one job by kind.
func (s *Service) handle(ctx context.Context, job *app.Job) error {
	if job.Kind != app.JobProcessImage {
		return permanentError{fmt.Errorf("unknown job kind %q", job.Kind)}
	}
	if job.ImageID == nil {
		return permanentError{errors.New("process_image job without an image")}
	}
	return s.processImage(ctx, job)
}

// fail records that a job gave up, and what that means for its image.
func (s *Service) fail(ctx context.Context, job *app.Job, reason string) error {
	if job.Kind == app.JobProcessImage && job.ImageID != nil {
		if err := s.failImage(ctx, *job.ImageID, reason); err != nil {
			return err
		}
	}
	return s.db.FailJob(ctx, job.ID, reason)
}

// Sweeper deletes orphan blobs periodically (see SweepBlobIntents).
type Sweeper struct {
	Catalog  *Service
	Interval time.Duration // zero: 1 hour
	Grace    time.Duration // intents younger than this may belong to uploads in progress; zero: 1 hour
	Logger   *slog.Logger
}

// Run sweeps until ctx is cancelled, logging failures and carrying on.
func (sw *Sweeper) Run(ctx context.Context) error {
	interval, grace := sw.Interval, sw.Grace
	if interval == 0 {
		interval = time.Hour
	}
	if grace == 0 {
		grace = time.Hour
	}
	if sw.Logger == nil {
		sw.Logger = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n, err := sw.Catalog.SweepBlobIntents(ctx, time.Now().Add(-grace))
		switch {
		case err != nil && ctx.Err() == nil:
			sw.Logger.WarnContext(ctx, "sweep orphan blobs", "err", err)
		case n > 0:
			sw.Logger.InfoContext(ctx, "deleted orphan blobs", "count", n)
		}
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
