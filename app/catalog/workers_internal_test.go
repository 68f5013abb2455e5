package catalog

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// A worker ID names a dead worker when it ran on this host in a process that
// is gone, or in an earlier life of this process's ID; anything else (a live
// process, another host, a malformed ID) is left to its lease.
func TestWorkerDead(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skipf("no exited process to point at: %v", err)
	}
	const host = "box"
	id := func(h string, pid int) string { return fmt.Sprintf("%s:%d:abcdef:0", h, pid) }
	for _, tc := range []struct {
		id   string
		dead bool
	}{
		{id(host, os.Getpid()), true},
		{id(host, gone.Process.Pid), true},
		{id(host, os.Getppid()), false},
		{id("other", gone.Process.Pid), false},
		{id("box:2", os.Getpid()), false},
		{"box:notapid:abcdef:0", false},
		{"box:1", false},
		{"", false},
	} {
		if got := workerDead(tc.id, host); got != tc.dead {
			t.Errorf("workerDead(%q) = %v, want %v", tc.id, got, tc.dead)
		}
	}
	if workerDead(id("", os.Getpid()), "") {
		t.Error("a worker of an unknown host is judged dead")
	}
}
