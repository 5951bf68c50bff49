// Package proc runs a benchmarked program and measures it from outside:
// wall time, CPU time and peak resident memory from the kernel's rusage,
// and, for terminal programs, the time to their first useful frame in a
// pseudo-terminal.
package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Result is one run of a program.
type Result struct {
	Wall     time.Duration // from start to exit
	CPU      time.Duration // user + system time of the process
	MaxRSS   int64         // peak resident set, bytes; 0 where unknown
	ExitCode int
	Stdout   []byte
	Stderr   []byte
}

// Run starts cmd, waits for it and measures it. cmd must not have its
// Stdout or Stderr set; Run captures both. A program that exits non-zero
// is not an error here: the caller reads ExitCode and Stderr.
func Run(ctx context.Context, cmd *exec.Cmd) (Result, error) {
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	stop := context.AfterFunc(ctx, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	wall := time.Since(start)
	stop()
	res := Result{Wall: wall, Stdout: out.Bytes(), Stderr: errOut.Bytes()}
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
		res.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		res.MaxRSS = maxRSS(cmd.ProcessState)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("wait for %s: %w", cmd.Path, err)
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("run %s: %w", cmd.Path, ctx.Err())
	}
	return res, nil
}

// FirstLine is the first non-empty line of b, trimmed: how a failed
// command's stderr is quoted in a report.
func FirstLine(b []byte) string {
	for line := range strings.SplitSeq(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}
