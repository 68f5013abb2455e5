//go:build !linux

package search

import "time"

// releaseMapped is a hint that only Linux acts on; see release_linux.go.
func releaseMapped(string) {}

// releaseMappedEvery does nothing here; see release_linux.go.
func releaseMappedEvery(string, time.Duration) (stop func()) { return func() {} }
