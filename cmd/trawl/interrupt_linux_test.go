package main

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A first Ctrl-C that trawl cannot heed (here: 'trawl list' blocked
// writing to a pipe nobody reads) leaves a second one that ends trawl at
// once, after trawl has said so; the cache, stars and notes come through.
func TestSecondInterruptEndsTrawl(t *testing.T) {
	c := newCLI(t)
	seedCache(t, c.home, c.now, fillerStories(2000)) // far more listing than a pipe holds (64 KiB)
	kept := c.keep()
	unread, stdout, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer unread.Close()
	cmd, _, stderr := c.startChild(childSpec{args: []string{"list", "--limit", "0"}, stdout: stdout})
	stdout.Close()

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	const hint = "trawl: still working; press Ctrl-C again to quit at once\n"
	for deadline := time.Now().Add(time.Minute); !strings.Contains(stderr.String(), hint); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no word after the first Ctrl-C; stderr %q", stderr.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	// A trawl that ignored it would be killed at startChild's deadline,
	// and not by SIGINT.
	cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("trawl ended with %v, want killed by SIGINT", cmd.ProcessState)
	}
	c.assertKept(kept, "after two Ctrl-Cs")
}
