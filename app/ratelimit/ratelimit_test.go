package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

func TestBurstThenRefill(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := New(time.Minute, 3)
	l.SetClock(func() time.Time { return now })
	for i := range 3 {
		if !l.Allow("ip") {
			t.Fatalf("event %d refused within the burst", i)
		}
	}
	if l.Allow("ip") {
		t.Fatal("fourth event allowed")
	}
	if w := l.Wait("ip"); w <= 0 || w > time.Minute {
		t.Fatalf("Wait = %v, want (0, 1m]", w)
	}
	if !l.Allow("other") {
		t.Fatal("keys are not independent")
	}
	now = now.Add(time.Minute)
	if w := l.Wait("ip"); w != 0 {
		t.Fatalf("after a minute Wait = %v", w)
	}
	if !l.Allow("ip") {
		t.Fatal("no refill after a minute")
	}
	l.Reset("ip")
	for range 3 {
		if !l.Allow("ip") {
			t.Fatal("Reset did not restore the burst")
		}
	}
}

func TestIdleBucketsAreSweptPastTheBound(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := New(time.Second, 1)
	l.SetClock(func() time.Time { return now })
	for i := range maxKeys {
		l.Allow(fmt.Sprint(i))
	}
	now = now.Add(time.Hour) // every bucket refills
	l.Allow("new")
	if n := len(l.buckets); n != 1 {
		t.Fatalf("%d buckets after sweep, want 1", n)
	}
}
