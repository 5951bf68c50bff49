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
	"os"
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
	l, err := prepare(cmd)
	if err != nil {
		return Result{}, err
	}
	defer l.close()
	start := time.Now()
	if err := l.start(func(c *exec.Cmd) error { return c.Start() }); err != nil {
		return Result{}, err
	}
	stop := context.AfterFunc(ctx, func() { l.cmd.Process.Kill() })
	err = l.cmd.Wait()
	wall := time.Since(start)
	stop()
	res := Result{Wall: wall, Stdout: out.Bytes(), Stderr: errOut.Bytes()}
	if ctx.Err() != nil {
		return res, fmt.Errorf("run %s: %w", cmd.Path, ctx.Err())
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("wait for %s: %w", cmd.Path, err)
	}
	if err := l.measure(&res); err != nil {
		return res, err
	}
	return res, nil
}

// run is one measured process: the program itself, or a launcher that
// runs it and reports on it.
type run struct {
	cmd    *exec.Cmd // what is started and waited for
	path   string    // the program measured
	report *os.File  // the launcher's report, or nil
}

// prepare checks that cmd's program exists and puts it behind a launcher
// where there is one.
func prepare(cmd *exec.Cmd) (*run, error) {
	if cmd.Err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, cmd.Err)
	}
	if _, err := exec.LookPath(cmd.Path); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	l, report, err := launcherCmd(cmd)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return &run{cmd: cmd, path: cmd.Path}, nil
	}
	return &run{cmd: l, path: cmd.Path, report: report}, nil
}

// start starts the process with startFn (exec's Start, or pty's).
func (r *run) start(startFn func(*exec.Cmd) error) error {
	if err := startFn(r.cmd); err != nil {
		return fmt.Errorf("start %s: %w", r.path, err)
	}
	if r.report != nil {
		// The launcher has its copy of the write end; ours would keep
		// the report from ever ending.
		r.cmd.ExtraFiles[0].Close()
	}
	return nil
}

// measure fills in the exit code, CPU time and peak RSS of an exited run.
func (r *run) measure(res *Result) error {
	ps := r.cmd.ProcessState
	if ps == nil {
		return nil
	}
	res.ExitCode = ps.ExitCode()
	if r.report == nil {
		res.CPU = ps.UserTime() + ps.SystemTime()
		res.MaxRSS = maxRSS(ps)
		return nil
	}
	rep, err := readReport(r.report)
	if err != nil {
		return fmt.Errorf("%s: %w (exit status %d)", r.path, err, res.ExitCode)
	}
	res.CPU, res.MaxRSS = rep.cpu, rep.maxRSS
	return nil
}

func (r *run) close() {
	if r.report != nil {
		r.report.Close()
	}
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
