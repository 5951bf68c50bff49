package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trawl-news/trawl/feeds/item"
)

// A first Ctrl-C that trawl cannot heed (here: 'trawl list' blocked
// writing to a pipe nobody reads) leaves a second one that ends trawl at
// once, after trawl has said so; the cache, stars and notes come through.
func TestSecondInterruptEndsTrawl(t *testing.T) {
	c := newCLI(t)
	// Far more listing than a pipe holds (64 KiB on Linux).
	stories := make([]seeded, 2000)
	for i := range stories {
		stories[i].Item = item.Item{
			Feed: "https://wire.example/feed", Outlet: "Wire",
			GUID:      fmt.Sprintf("wire-%d", i),
			Title:     fmt.Sprintf("Wire story %d: a publisher licenses its archive for model training", i),
			Link:      fmt.Sprintf("https://wire.example/s/%d", i),
			Published: c.now.Add(-time.Duration(i+1) * time.Minute),
		}
	}
	seedCache(t, c.home, c.now, stories)
	kept := c.keep()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := c.childCmd(ctx, childSpec{args: []string{"list", "--limit", "0"}, ready: true})
	unread, stdout, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer unread.Close()
	ready, readyW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer ready.Close()
	stderr := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = stdout, stderr, []*os.File{readyW}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdout.Close()
	readyW.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, err := io.ReadAll(io.LimitReader(ready, 6)); err != nil || string(line) != "ready\n" {
		t.Fatalf("child did not start: %v %q; stderr %q", err, line, stderr.String())
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	const hint = "trawl: still working; press Ctrl-C again to quit at once\n"
	for !strings.Contains(stderr.String(), hint) {
		if ctx.Err() != nil {
			t.Fatalf("no word after the first Ctrl-C; stderr %q", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if ctx.Err() != nil {
		t.Fatal("trawl still runs after the second Ctrl-C")
	}
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("trawl ended with %v, want killed by SIGINT", cmd.ProcessState)
	}
	c.assertKept(kept, "after two Ctrl-Cs")
}
