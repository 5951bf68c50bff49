package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServesUntilCancelled(t *testing.T) {
	urls := filepath.Join(t.TempDir(), "urls")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-feeds", "6", "-items", "3", "-hosts", "2", "-urls", urls}, &strings.Builder{}, &stderr)
	}()
	var list []string
	deadline := time.Now().Add(30 * time.Second)
	for len(list) < 6 && time.Now().Before(deadline) {
		raw, _ := os.ReadFile(urls)
		list = strings.Fields(string(raw))
		time.Sleep(10 * time.Millisecond)
	}
	if len(list) != 6 {
		t.Fatalf("urls file holds %d URLs, want 6", len(list))
	}
	for _, u := range list {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", u, resp.Status)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("did not stop when cancelled")
	}
}

func TestRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-base", "soon"}, {"extra"}, {"-feeds", "x"}} {
		if err := run(context.Background(), args, &strings.Builder{}, &strings.Builder{}); err == nil {
			t.Errorf("run(%v) accepted", args)
		}
	}
}
