package search

import (
	"sync"
	"sync/atomic"
)

// memo remembers answers worked out from an engine's documents until the
// engine next changes (engine.forget). It holds at most max answers, so
// that a stream of distinct questions (made-up words, say) cannot grow it
// between changes; past that, answers are worked out every time.
type memo[V any] struct {
	m   sync.Map // key → V
	n   atomic.Int64
	max int64
}

func newMemo[V any](max int64) *memo[V] { return &memo[V]{max: max} }

// get returns key's remembered answer, or works it out with f and
// remembers it while there is room. Callers share what is remembered: f's
// answer must not be changed afterwards.
func (m *memo[V]) get(key string, f func() V) V {
	if v, ok := m.m.Load(key); ok {
		return v.(V) //nolint:forcetypeassert // only Vs are stored
	}
	v := f()
	if m.n.Add(1) <= m.max {
		m.m.Store(key, v)
	}
	return v
}

// What engines remember, and how much of it (see engine.forget).
const (
	// maxFreqs bounds docFreq's counts: one per keyword of the catalogue's
	// vocabulary that "more like this" has asked about.
	maxFreqs = 1 << 20
	// maxClosestWords bounds did-you-mean's words.
	maxClosestWords = 10000
	// maxRelatedMemo bounds "more like this" lists.
	maxRelatedMemo = 10000
)

// forget drops everything remembered from the engine's documents. apply
// calls it holding the write lock, so no reader can then remember an answer
// worked out from the documents as they were.
func (e *engine) forget() {
	e.freqs.Store(newMemo[int](maxFreqs))
	e.closest.Store(newMemo[string](maxClosestWords))
	e.related.Store(newMemo[[]uint32](maxRelatedMemo))
}
