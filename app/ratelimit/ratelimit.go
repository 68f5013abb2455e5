// Package ratelimit keeps token buckets keyed by a string — a client IP, an
// account name — in memory. Each process keeps its own buckets: behind a load
// balancer a client gets N processes' allowance, which is still a bound.
package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxKeys bounds memory: past it, full (idle) buckets are dropped.
const maxKeys = 50_000

// Limiter allows each key `burst` events at once, refilled one per `every`.
type Limiter struct {
	mu      sync.Mutex
	every   time.Duration
	burst   int
	buckets map[string]*rate.Limiter
	now     func() time.Time
}

// New returns a limiter allowing burst events per key, one more per every.
func New(every time.Duration, burst int) *Limiter {
	return &Limiter{
		every:   every,
		burst:   burst,
		buckets: make(map[string]*rate.Limiter),
		now:     time.Now,
	}
}

// SetClock replaces the time source (for tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

func (l *Limiter) bucket(key string, now time.Time) *rate.Limiter {
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxKeys {
			l.sweep(now)
		}
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	return b
}

// sweep drops buckets that have refilled: forgetting them changes nothing.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// Allow takes one event from key's bucket and reports whether there was one.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	return l.bucket(key, now).AllowN(now, 1)
}

// Wait reports how long key must wait before its next event would be allowed,
// without taking one; zero means it may go now.
func (l *Limiter) Wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		return 0
	}
	tokens := b.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(l.every))
}

// Reset forgets key, restoring its full allowance.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}
