package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// interruptContext is the context every command runs in: the first
// Ctrl-C (or SIGTERM) cancels it, so the command stops at its next step
// and keeps what it finished. From then on the signals have their
// default effect again, so a second Ctrl-C ends trawl at once when the
// first is not being heeded (trawl blocked writing to a pipe nobody
// reads, or a command that finishes its step first); if trawl is still
// there after stillStoppingAfter, it says so on stderr. The cache survives being ended that way: bbolt commits
// atomically, so a killed write loses only its own transaction. stop
// releases the signals.
func interruptContext(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
		// A command that heeds the cancellation has exited long before
		// this wakes.
		time.Sleep(stillStoppingAfter)
		fmt.Fprintf(stderr, "%s: still working; press Ctrl-C again to quit at once\n", programName)
	}()
	return ctx, stop
}

// stillStoppingAfter is how long trawl may take to stop after a Ctrl-C
// before it says a second one will end it.
const stillStoppingAfter = time.Second

// input is stdin for a command that reads it (a note, an OPML file, an
// eval file): a read that waits on a terminal or an idle pipe gives way
// when ctx ends, with ctx's error, instead of holding trawl until the
// other end writes or closes.
func (e *env) input() io.Reader {
	return &interruptibleReader{ctx: e.ctx, r: e.stdin}
}

// openInput opens the file a command reads, or stdin (see input) when
// name is "-"; done closes what it opened.
func (e *env) openInput(name string) (r io.Reader, done func(), err error) {
	if name == "-" {
		return e.input(), func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

type interruptibleReader struct {
	ctx context.Context
	r   io.Reader
	buf []byte // the reading goroutine's buffer, reused once a read is over
}

// maxInputRead bounds one read, so that the buffer stays small whatever
// the caller asks for (io.ReadAll asks for more and more).
const maxInputRead = 64 << 10

type readResult struct {
	n   int
	err error
}

// Read runs the underlying read in a goroutine with a buffer of its own,
// so that a read abandoned when ctx ends never writes into the caller's
// buffer after Read has returned. Once ctx has ended every Read fails, so
// the abandoned read's bytes are never wanted.
func (r *interruptibleReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if n := min(len(p), maxInputRead); cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	buf := r.buf[:min(len(p), maxInputRead)]
	ch := make(chan readResult, 1)
	go func() {
		n, err := r.r.Read(buf)
		ch <- readResult{n, err}
	}()
	select {
	case res := <-ch:
		return copy(p, buf[:res.n]), res.err
	case <-r.ctx.Done():
		r.buf = nil // the abandoned read still owns it
		return 0, r.ctx.Err()
	}
}
