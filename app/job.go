package app

import "time"

// JobStatus is where a background job is.
type JobStatus string

// Job statuses. A job that succeeds is deleted.
const (
	JobQueued  JobStatus = "queued"
	JobRunning JobStatus = "running" // claimed by a worker until LockedUntil
	JobFailed  JobStatus = "failed"  // gave up; LastError says why
)

// Job kinds.
const (
	JobProcessImage = "process_image" // make an upload's derivatives and read its metadata
)

// Job is background work recorded in the database, so that a crash or a
// restart loses none of it: a running job whose lease has expired is claimed
// again by the next free worker.
type Job struct {
	ID          int64
	Kind        string
	ImageID     *int64
	Status      JobStatus
	Attempts    int
	RunAfter    time.Time
	LockedBy    string
	LockedUntil *time.Time
	LastError   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
