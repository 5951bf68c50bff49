//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The hardening tests run trawl in child processes when the parent cannot
// do it in-process: to measure a refresh's peak memory, to kill trawl
// half-way, to give it a file-size limit (a full disk) or another user
// (a directory it cannot write). The child is this test binary again,
// started with a role in its environment; in the role "trawl" it runs the
// real command code, run(e, args), exactly as main does, with the clock
// and arguments the test chose.
const (
	envChildRole  = "TRAWL_HARDEN_ROLE"  // "trawl" or "launcher"
	envChildArgs  = "TRAWL_HARDEN_ARGS"  // trawl's arguments, a JSON array
	envChildNow   = "TRAWL_HARDEN_NOW"   // the command's clock, RFC 3339
	envChildFsize = "TRAWL_HARDEN_FSIZE" // RLIMIT_FSIZE in bytes, if set
	envChildReady = "TRAWL_HARDEN_READY" // if set, write "ready" on fd 3 before running
)

func TestMain(m *testing.M) {
	switch role := os.Getenv(envChildRole); role {
	case "":
		os.Exit(m.Run())
	case "trawl":
		os.Exit(childTrawl())
	case "launcher":
		os.Exit(childLauncher())
	default:
		fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
		os.Exit(127)
	}
}

// childTrawl is a child process running trawl with the arguments, clock
// and limits in its environment.
func childTrawl() int {
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(envChildArgs)), &args); err != nil {
		fmt.Fprintln(os.Stderr, "child: arguments:", err)
		return 127
	}
	now, err := time.Parse(time.RFC3339, os.Getenv(envChildNow))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: clock:", err)
		return 127
	}
	if v := os.Getenv(envChildFsize); v != "" {
		limit, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child: file size limit:", err)
			return 127
		}
		// A full disk, as far as this process can tell: writes past the
		// limit fail with EFBIG, once SIGXFSZ no longer kills it.
		signal.Ignore(syscall.SIGXFSZ)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
			fmt.Fprintln(os.Stderr, "child: setrlimit:", err)
			return 127
		}
	}
	// Ready once a signal would reach trawl's handler, not the default one.
	ctx, stop := interruptContext(os.Stderr)
	defer stop()
	if os.Getenv(envChildReady) != "" {
		ready := os.NewFile(3, "ready")
		fmt.Fprintln(ready, "ready")
		ready.Close()
	}
	e := &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		getenv: os.Getenv, now: func() time.Time { return now }, ctx: ctx,
	}
	return run(e, args)
}

// childLauncher starts the trawl role and reports its peak RSS on fd 3.
// It exists because on Linux a child started by this (large) test process
// inherits the parent's RSS high-water mark across exec: Go starts
// children with vfork. A launcher is a fresh, small process, so the mark
// its own child inherits is the launcher's few megabytes.
func childLauncher() int {
	report := os.NewFile(3, "report")
	// Pdeathsig follows the thread that started the child.
	runtime.LockOSThread()
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), envChildRole+"=trawl")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintln(os.Stderr, "launcher:", err)
		return 127
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		fmt.Fprintln(os.Stderr, "launcher: no rusage")
		return 127
	}
	// ru_maxrss is in kilobytes on Linux.
	fmt.Fprintf(report, "%d\n", ru.Maxrss*1024)
	return cmd.ProcessState.ExitCode()
}

// childSpec is one trawl command to run in a child process.
type childSpec struct {
	args  []string
	stdin io.Reader
	// stdout, if set, takes the child's output instead of the buffer
	// startChild returns (a pipe nobody reads, say).
	stdout *os.File
	// fsize, if positive, is the largest file the child may write.
	fsize int64
	// measure runs the child through a launcher and reports its peak RSS.
	measure bool
	// ready makes the child say when it starts running trawl (see
	// startChild).
	ready bool
	// cred, if set, runs the child as another user.
	cred *syscall.Credential
}

// childResult is how a child process ended.
type childResult struct {
	stdout, stderr string
	code           int // exit status, or -1 if a signal ended it
	maxRSS         int64
	wall           time.Duration
}

// childCmd prepares a child running trawl for c's home and clock. The
// environment is only what the child needs, so nothing of the machine's
// own (TRAWL_DB, XDG directories) reaches it.
func (c *cli) childCmd(ctx context.Context, spec childSpec) *exec.Cmd {
	c.t.Helper()
	args, err := json.Marshal(spec.args)
	if err != nil {
		c.t.Fatal(err)
	}
	role := "trawl"
	if spec.measure {
		role = "launcher"
	}
	// /proc/self/exe rather than the binary's path: a child running as
	// another user may not be allowed into the build directory.
	cmd := exec.CommandContext(ctx, "/proc/self/exe")
	cmd.Env = []string{
		quickRaceExit(),
		"HOME=" + c.home,
		"PATH=" + os.Getenv("PATH"),
		envChildRole + "=" + role,
		envChildArgs + "=" + string(args),
		envChildNow + "=" + c.now.Format(time.RFC3339),
	}
	for k, v := range c.vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if spec.fsize > 0 {
		cmd.Env = append(cmd.Env, envChildFsize+"="+strconv.FormatInt(spec.fsize, 10))
	}
	if spec.ready {
		cmd.Env = append(cmd.Env, envChildReady+"=1")
	}
	cmd.Stdin = spec.stdin
	if spec.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: spec.cred}
	}
	return cmd
}

// runChild runs a trawl command in a child process to the end; a child
// still running after the deadline is killed and fails the test.
func (c *cli) runChild(deadline time.Duration, spec childSpec) childResult {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	cmd := c.childCmd(ctx, spec)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var report, reportW *os.File
	if spec.measure {
		var err error
		if report, reportW, err = os.Pipe(); err != nil {
			c.t.Fatal(err)
		}
		defer report.Close()
		cmd.ExtraFiles = []*os.File{reportW}
	}
	start := time.Now()
	err := cmd.Run()
	res := childResult{stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(start), code: -1}
	if ctx.Err() != nil {
		c.t.Fatalf("trawl %s did not finish within %s; stderr so far:\n%s", strings.Join(spec.args, " "), deadline, res.stderr)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		c.t.Fatalf("run trawl %s in a child: %v", strings.Join(spec.args, " "), err)
	}
	res.code = cmd.ProcessState.ExitCode()
	if report != nil {
		reportW.Close()
		line, err := io.ReadAll(report)
		if err != nil {
			c.t.Fatal(err)
		}
		if res.maxRSS, err = strconv.ParseInt(strings.TrimSpace(string(line)), 10, 64); err != nil {
			c.t.Fatalf("launcher report %q: %v (stderr %q)", line, err, res.stderr)
		}
	}
	return res
}

// lockedBuffer is an output stream a test may read while a child writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startChild starts a trawl command in a child process that says "ready"
// (on a pipe) just before it runs trawl, and returns once it has. The
// caller waits for or kills it; the end of the test kills it in any case.
func (c *cli) startChild(spec childSpec) (cmd *exec.Cmd, stdout, stderr *lockedBuffer) {
	c.t.Helper()
	spec.ready = true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd = c.childCmd(ctx, spec)
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if spec.stdout != nil {
		cmd.Stdout = spec.stdout
	}
	r, w, err := os.Pipe()
	if err != nil {
		c.t.Fatal(err)
	}
	defer r.Close()
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	w.Close()
	c.t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	line := make([]byte, len("ready\n"))
	if _, err := io.ReadFull(r, line); err != nil || string(line) != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		c.t.Fatalf("child did not start: %v %q; stderr %q", err, line, stderr.String())
	}
	return cmd, stdout, stderr
}
