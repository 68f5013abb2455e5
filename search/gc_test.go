package search

import (
	"runtime/debug"
	"testing"
)

func TestGCTargetLowersAndRestores(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	var g gcTarget

	outer := g.lower(25)
	if got := debug.SetGCPercent(25); got != 25 {
		t.Fatalf("while lowered: GOGC %d, want 25", got)
	}
	inner := g.lower(25)
	inner()
	inner() // a second call must not restore under outer
	if got := debug.SetGCPercent(25); got != 25 {
		t.Fatalf("after the inner load: GOGC %d, want 25 until the outer one ends", got)
	}
	outer()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after both: GOGC %d, want 100 back", got)
	}

	debug.SetGCPercent(10) // already lower: left alone
	g.lower(25)()
	if got := debug.SetGCPercent(-1); got != 10 {
		t.Fatalf("GOGC 10 became %d", got)
	}
	g.lower(25)() // off: left off
	if got := debug.SetGCPercent(100); got != -1 {
		t.Fatalf("GOGC off became %d", got)
	}
}
