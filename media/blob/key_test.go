package blob_test

import (
	"strings"
	"testing"

	"github.com/snapshop/snapshop/media/blob"
)

func TestValidKey(t *testing.T) {
	valid := []string{
		"a",
		"0",
		"a.jpg",
		"originals/ab/cd/abcdef0123.jpg",
		"previews/x_y-z.v2.webp",
		"...",
		"a/.b",
		"a/..b",
		"a/b..",
		".tmp", // valid in general; Local reserves it (see TestLocalReservedKeys)
		strings.Repeat("a", 512),
		strings.Repeat("a/", 255) + "ab",
	}
	for _, k := range valid {
		if !blob.ValidKey(k) {
			t.Errorf("ValidKey(%q) = false, want true", k)
		}
	}
	for _, k := range invalidKeys {
		if blob.ValidKey(k) {
			t.Errorf("ValidKey(%q) = true, want false", k)
		}
	}
}
