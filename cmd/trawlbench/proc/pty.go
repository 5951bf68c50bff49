package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

// FrameOptions configure FirstFrame.
type FrameOptions struct {
	Cols, Rows int
	// Ready reports whether the program's output so far, with escape
	// sequences removed, shows the frame being waited for.
	Ready func(text string) bool
	// Quit is typed once the frame is ready; the program should exit.
	Quit []byte
	// Timeout bounds the whole run; a program that has not drawn its
	// frame by then is killed and the run fails.
	Timeout time.Duration
	// QuitGrace is how long the program has to exit after Quit before it
	// gets ctrl+c, and as long again before it is killed.
	QuitGrace time.Duration
}

// FrameResult is one run of a terminal program.
type FrameResult struct {
	Result
	// FirstFrame is the time from start to the output that made Ready
	// true.
	FirstFrame time.Duration
	// QuitClean says the program exited on Quit, without ctrl+c or a kill.
	QuitClean bool
}

// FirstFrame runs cmd in a pseudo-terminal of the given size, answering
// its terminal queries, and measures the time until its output shows what
// Ready waits for. Then it types Quit and waits for the program to exit,
// escalating to ctrl+c and then a kill, so no program outlives the call.
// Result.Stdout holds the raw terminal output.
func FirstFrame(ctx context.Context, cmd *exec.Cmd, opts FrameOptions) (FrameResult, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.QuitGrace <= 0 {
		opts.QuitGrace = 5 * time.Second
	}
	var res FrameResult
	l, err := prepare(cmd)
	if err != nil {
		return res, err
	}
	defer l.close()
	var ptmx *os.File
	start := time.Now()
	err = l.start(func(c *exec.Cmd) error {
		var err error
		ptmx, err = pty.StartWithSize(c, &pty.Winsize{Rows: uint16(opts.Rows), Cols: uint16(opts.Cols)})
		return err
	})
	if err != nil {
		return res, err
	}
	defer ptmx.Close()
	cmd = l.cmd // the process to signal and wait for

	chunks := make(chan []byte, 64)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(chunks)
		buf := make([]byte, 32<<10)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				select {
				case chunks <- bytes.Clone(buf[:n]):
				case <-done:
					return
				}
			}
			if err != nil {
				return // EIO once the program has exited
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	term := Terminal{Rows: opts.Rows, Cols: opts.Cols}
	var raw bytes.Buffer
	deadline := time.NewTimer(opts.Timeout)
	defer deadline.Stop()
	var escalate <-chan time.Time
	stage := 0 // 0 waiting for the frame, 1 quit typed, 2 ctrl+c sent, 3 killed
	var waitErr error
	var failure error
loop:
	for {
		select {
		case c, ok := <-chunks:
			if !ok {
				chunks = nil
				continue
			}
			raw.Write(c)
			if reply := term.Answer(c); len(reply) > 0 {
				ptmx.Write(reply)
			}
			if stage == 0 && opts.Ready(ansi.Strip(raw.String())) {
				res.FirstFrame = time.Since(start)
				ptmx.Write(opts.Quit)
				stage = 1
				escalate = time.After(opts.QuitGrace)
			}
		case waitErr = <-exited:
			break loop
		case <-escalate:
			switch stage {
			case 1:
				ptmx.Write([]byte{0x03}) // ctrl+c
				stage = 2
				escalate = time.After(opts.QuitGrace)
			default:
				cmd.Process.Kill()
				stage = 3
				escalate = nil
			}
		case <-deadline.C:
			if stage == 0 {
				failure = fmt.Errorf("%s drew no ready frame within %s", l.path, opts.Timeout)
			}
			cmd.Process.Kill()
			stage = 3
		case <-ctx.Done():
			failure = ctx.Err()
			cmd.Process.Kill()
			stage = 3
		}
	}
	res.Wall = time.Since(start)
	res.QuitClean = stage == 1
	var measureErr error
	if stage < 3 {
		// A killed launcher reports nothing.
		measureErr = l.measure(&res.Result)
	} else if ps := cmd.ProcessState; ps != nil {
		res.ExitCode = ps.ExitCode()
	}
	// Keep what the program wrote on its way out, for diagnostics.
	drain := time.After(time.Second)
	for chunks != nil {
		select {
		case c, ok := <-chunks:
			if !ok {
				chunks = nil
			}
			raw.Write(c)
		case <-drain:
			chunks = nil
		}
	}
	res.Stdout = raw.Bytes()
	var exitErr *exec.ExitError
	switch {
	case failure != nil:
	case waitErr != nil && !errors.As(waitErr, &exitErr):
		failure = fmt.Errorf("wait for %s: %w", l.path, waitErr)
	case res.FirstFrame == 0:
		failure = fmt.Errorf("%s exited with status %d before drawing a ready frame: %q", l.path, res.ExitCode, lastText(res.Stdout))
	case measureErr != nil:
		failure = measureErr
	}
	return res, failure
}

// lastText is the tail of a terminal transcript as plain text, for an
// error message.
func lastText(raw []byte) string {
	text := strings.TrimSpace(ansi.Strip(string(raw)))
	if len(text) > 200 {
		text = "…" + text[len(text)-200:]
	}
	return text
}
