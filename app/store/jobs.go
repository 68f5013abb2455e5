package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/snapshop/snapshop/app"
)

// EnqueueJob records a job to run as soon as a worker is free (or at RunAfter).
func (db *DB) EnqueueJob(ctx context.Context, j *app.Job) error {
	now := time.Now().UTC()
	j.Status = app.JobQueued
	if j.RunAfter.IsZero() {
		j.RunAfter = now
	}
	j.CreatedAt, j.UpdatedAt = now, now
	if err := db.conn(ctx).Create(j).Error; err != nil {
		return fmt.Errorf("enqueue %s job: %w", j.Kind, translate(err))
	}
	return nil
}

// ClaimJob takes the oldest job that is due — queued, or running under an
// expired lease (its worker died) — and leases it to worker until now+lease.
// It returns nil when there is none. On PostgreSQL, FOR UPDATE SKIP LOCKED
// lets many workers in many processes claim concurrently without waiting on
// each other; on SQLite the immediate transaction serialises claims.
func (db *DB) ClaimJob(ctx context.Context, worker string, lease time.Duration) (*app.Job, error) {
	var claimed *app.Job
	err := db.InTx(ctx, func(ctx context.Context) error {
		now := time.Now().UTC()
		var jobs []app.Job
		q := db.conn(ctx).
			Where("(status = ? AND run_after <= ?) OR (status = ? AND locked_until < ?)", app.JobQueued, now, app.JobRunning, now).
			Order("id").Limit(1)
		if db.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&jobs).Error; err != nil {
			return err
		}
		if len(jobs) == 0 {
			return nil
		}
		j := jobs[0]
		until := now.Add(lease)
		j.Status, j.LockedBy, j.LockedUntil, j.Attempts, j.UpdatedAt = app.JobRunning, worker, &until, j.Attempts+1, now
		if err := db.conn(ctx).Model(&app.Job{}).Where("id = ?", j.ID).Updates(map[string]any{
			"status": j.Status, "locked_by": worker, "locked_until": until, "attempts": j.Attempts, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		claimed = &j
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim job: %w", translate(err))
	}
	return claimed, nil
}

// ExtendJobLease keeps a long job leased to its worker. It fails (ENotFound)
// if the worker has lost the job.
func (db *DB) ExtendJobLease(ctx context.Context, id int64, worker string, lease time.Duration) error {
	until := time.Now().UTC().Add(lease)
	res := db.conn(ctx).Model(&app.Job{}).Where("id = ? AND locked_by = ? AND status = ?", id, worker, app.JobRunning).
		Update("locked_until", until)
	if res.Error != nil {
		return fmt.Errorf("extend job lease: %w", translate(res.Error))
	}
	if res.RowsAffected == 0 {
		return app.Errorf(app.ENotFound, "job %d is no longer leased to %s", id, worker)
	}
	return nil
}

// FinishJob deletes a job that has done its work.
func (db *DB) FinishJob(ctx context.Context, id int64) error {
	if err := db.conn(ctx).Delete(&app.Job{}, id).Error; err != nil {
		return fmt.Errorf("finish job: %w", translate(err))
	}
	return nil
}

// RetryJob puts a job back in the queue to run again at runAfter.
func (db *DB) RetryJob(ctx context.Context, id int64, runAfter time.Time, reason string) error {
	err := db.conn(ctx).Model(&app.Job{}).Where("id = ?", id).Updates(map[string]any{
		"status": app.JobQueued, "run_after": runAfter.UTC(), "locked_by": "", "locked_until": nil,
		"last_error": reason, "updated_at": time.Now().UTC(),
	}).Error
	if err != nil {
		return fmt.Errorf("retry job: %w", translate(err))
	}
	return nil
}

// FailJob marks a job as given up.
func (db *DB) FailJob(ctx context.Context, id int64, reason string) error {
	err := db.conn(ctx).Model(&app.Job{}).Where("id = ?", id).Updates(map[string]any{
		"status": app.JobFailed, "locked_by": "", "locked_until": nil, "last_error": reason, "updated_at": time.Now().UTC(),
	}).Error
	if err != nil {
		return fmt.Errorf("fail job: %w", translate(err))
	}
	return nil
}

// RequeueRunningJobs returns every running job to the queue. Only safe when
// no other process can be running them: SQLite, where one process owns the
// database file. On PostgreSQL, expired leases do this job.
func (db *DB) RequeueRunningJobs(ctx context.Context) (int64, error) {
	if db.dialect != SQLite {
		return 0, nil
	}
	res := db.conn(ctx).Model(&app.Job{}).Where("status = ?", app.JobRunning).Updates(map[string]any{
		"status": app.JobQueued, "locked_by": "", "locked_until": nil, "updated_at": time.Now().UTC(),
	})
	if res.Error != nil {
		return 0, fmt.Errorf("requeue running jobs: %w", translate(res.Error))
	}
	return res.RowsAffected, nil
}

// RunningJobOwners returns the workers that hold running jobs.
func (db *DB) RunningJobOwners(ctx context.Context) ([]string, error) {
	var owners []string
	err := db.conn(ctx).Model(&app.Job{}).Where("status = ?", app.JobRunning).Distinct("locked_by").Pluck("locked_by", &owners).Error
	if err != nil {
		return nil, fmt.Errorf("list job owners: %w", translate(err))
	}
	return owners, nil
}

// RequeueJobsOf returns the running jobs of the given workers, known to be
// dead, to the queue without waiting for their leases to expire.
func (db *DB) RequeueJobsOf(ctx context.Context, workers []string) (int64, error) {
	if len(workers) == 0 {
		return 0, nil
	}
	res := db.conn(ctx).Model(&app.Job{}).Where("status = ? AND locked_by IN ?", app.JobRunning, workers).Updates(map[string]any{
		"status": app.JobQueued, "locked_by": "", "locked_until": nil, "updated_at": time.Now().UTC(),
	})
	if res.Error != nil {
		return 0, fmt.Errorf("requeue jobs of dead workers: %w", translate(res.Error))
	}
	return res.RowsAffected, nil
}

// JobCounts returns how many jobs are in each status.
func (db *DB) JobCounts(ctx context.Context) (map[app.JobStatus]int64, error) {
	var rows []struct {
		Status app.JobStatus
		N      int64
	}
	if err := db.conn(ctx).Model(&app.Job{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("count jobs: %w", translate(err))
	}
	out := map[app.JobStatus]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
