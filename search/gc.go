package search

import (
	"runtime/debug"
	"sync"
)

// loadGCPercent is the collector's target (as GOGC) while the engine loads.
//
// A load is one burst of allocation that mostly stays live, so the
// collector's default target — let the heap grow to twice what was live
// after the last collection — lets the heap reach about twice the finished
// engine, and Go keeps the freed pages for minutes after. At a million
// images that was ~450 MB of heap for ~230 MB live: most of the process's
// peak RSS. At 25 the heap stays within a quarter of what is live, at the
// cost of more collections: measured at a million images, opening peaked at
// ~405 MB in 4.8 s (50: ~495 MB, 4.5 s; 100: ~570 MB, 4.2 s).
const loadGCPercent = 25

// gcTarget lowers the collector's target while at least one load runs. It is
// process-wide state because the collector's target is: two loads at once
// (a compaction during a rebuild) must not restore it under each other.
type gcTarget struct {
	mu    sync.Mutex
	depth int
	saved int
}

var loadGC gcTarget

// lower sets the target to percent, unless it is already lower or the
// collector is off, until the returned func is called.
func (g *gcTarget) lower(percent int) (restore func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.depth == 0 {
		g.saved = debug.SetGCPercent(percent)
		if g.saved < percent { // GOGC=off (negative) or already lower
			debug.SetGCPercent(g.saved)
		}
	}
	g.depth++
	return sync.OnceFunc(func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.depth--
		if g.depth == 0 {
			debug.SetGCPercent(g.saved)
		}
	})
}
