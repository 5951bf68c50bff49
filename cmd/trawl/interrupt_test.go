package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// stalledInput is stdin that nobody writes to and nobody closes, like a
// terminal the user has walked away from: a read waits until the test
// ends. reading is closed when the first read starts.
type stalledInput struct {
	reading chan struct{}
	once    sync.Once
	release chan struct{}
}

func newStalledInput(t *testing.T) *stalledInput {
	s := &stalledInput{reading: make(chan struct{}), release: make(chan struct{})}
	t.Cleanup(func() { close(s.release) })
	return s
}

func (s *stalledInput) Read(p []byte) (int, error) {
	s.once.Do(func() { close(s.reading) })
	<-s.release
	return 0, io.EOF
}

// Ctrl-C while a command waits for its text on stdin ends the command:
// "interrupted", exit 1, and nothing half-read is stored.
func TestInterruptWhileReadingStdin(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(c *cli) []string
		// unchanged checks that the command left no trace.
		unchanged func(c *cli) func(t *testing.T)
	}{
		{
			name: "note",
			args: func(c *cli) []string { return []string{"note", c.unnoted(), "-"} },
			unchanged: func(c *cli) func(t *testing.T) {
				id := c.unnoted()
				return func(t *testing.T) {
					if s := c.showJSON(id); s.Note != "" {
						t.Errorf("note %q stored after the interrupt", s.Note)
					}
				}
			},
		},
		{
			name: "feeds import",
			args: func(*cli) []string { return []string{"feeds", "import", "-"} },
			unchanged: func(c *cli) func(t *testing.T) {
				before := c.readSubs()
				return func(t *testing.T) {
					if after := c.readSubs(); !bytes.Equal(after, before) {
						t.Errorf("feeds.txt changed from %q to %q", before, after)
					}
				}
			},
		},
		{
			name:      "eval",
			args:      func(*cli) []string { return []string{"eval", "-"} },
			unchanged: func(*cli) func(*testing.T) { return func(*testing.T) {} },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			seedCache(t, c.home, c.now, mixedStories(t))
			if r := c.run("feeds", "list"); r.code != 0 { // the first run's files
				t.Fatalf("feeds list: exit %d, %q", r.code, r.stderr)
			}
			check := tc.unchanged(c)
			in := newStalledInput(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan result, 1)
			go func() {
				done <- c.runEnv(func(e *env) { e.stdin, e.ctx = in, ctx }, tc.args(c)...)
			}()
			<-in.reading
			cancel() // the user presses Ctrl-C
			var r result
			select {
			case r = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("trawl still waits for stdin 30 s after Ctrl-C")
			}
			if r.code != exitFailed || r.stderr != "trawl: interrupted\n" || r.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and only \"trawl: interrupted\"", r.code, r.stdout, r.stderr, exitFailed)
			}
			check(t)
		})
	}
}

// unnoted is the ID of a story in the cache that has no note.
func (c *cli) unnoted() string {
	c.t.Helper()
	for _, s := range listJSON(c.t, c) {
		if s.Note == "" {
			return s.ID
		}
	}
	c.t.Fatal("every story has a note")
	return ""
}

// Reads that finish hand over their bytes and, at the end, io.EOF,
// whether the caller reads a few bytes at a time or asks for more than
// one read gives.
func TestInterruptibleReaderPassesDataThrough(t *testing.T) {
	text := strings.Repeat("a labelled line of text\n", 20000)
	e := &env{stdin: strings.NewReader(text), ctx: context.Background()}
	in := e.input()
	var got bytes.Buffer
	buf := make([]byte, 7)
	for got.Len() < 1000 {
		n, err := in.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatal(err)
		}
	}
	rest, err := io.ReadAll(in)
	if err != nil {
		t.Fatal(err)
	}
	got.Write(rest)
	if got.String() != text {
		t.Errorf("read %d bytes, want the %d written", got.Len(), len(text))
	}
	if n, err := in.Read(buf); n != 0 || err != io.EOF {
		t.Errorf("read past the end: %d, %v; want 0, EOF", n, err)
	}
}
