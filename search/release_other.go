//go:build !linux

package search

// releaseMapped is a hint that only Linux acts on; see release_linux.go.
func releaseMapped(string) {}
