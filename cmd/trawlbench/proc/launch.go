package proc

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Why a launcher: on Linux a process's peak RSS (ru_maxrss) starts from
// the high-water mark of the process that forked it, because Go starts
// children with vfork and the kernel carries the parent's mark across
// exec. A harness that holds 200 MB of rendered feeds would report every
// child as using at least 200 MB. So each measured program is started by
// a fresh, small copy of the harness (the launcher), which forks the real
// program, waits for it and reports its rusage on file descriptor 3. The
// launcher's own mark is a few megabytes: the floor of what can be
// measured.

// launchEnv marks a process started as a launcher.
const launchEnv = "TRAWLBENCH_LAUNCHER"

// MaybeLaunch turns this process into a launcher when it was started as
// one, and then never returns. Call it first thing in main (and in
// TestMain), before the process grows.
func MaybeLaunch() {
	if os.Getenv(launchEnv) == "" {
		return
	}
	os.Exit(launch(os.Args[1:]))
}

// launcherCmd returns cmd started through a launcher, and the read end of
// the pipe the launcher reports on; nil, nil where there is no launcher.
func launcherCmd(cmd *exec.Cmd) (*exec.Cmd, *os.File, error) {
	if !launcherWorks {
		return nil, nil, nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, nil, fmt.Errorf("find the harness binary for the launcher: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("launcher pipe: %w", err)
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	l := exec.Command(self, append([]string{cmd.Path}, cmd.Args[1:]...)...)
	l.Env = append(append([]string(nil), env...), launchEnv+"=1")
	l.Dir = cmd.Dir
	l.Stdin, l.Stdout, l.Stderr = cmd.Stdin, cmd.Stdout, cmd.Stderr
	l.ExtraFiles = []*os.File{w}
	return l, r, nil
}

// launched is what a launcher reports about the program it ran.
type launched struct {
	maxRSS int64 // bytes
	cpu    time.Duration
}

// readReport reads the launcher's line "maxrss_bytes cpu_ns".
func readReport(r io.Reader) (launched, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		return launched{}, fmt.Errorf("launcher report: %w", err)
	}
	f := strings.Fields(line)
	if len(f) != 2 {
		return launched{}, fmt.Errorf("launcher report %q: want two numbers", line)
	}
	rss, err1 := strconv.ParseInt(f[0], 10, 64)
	cpu, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return launched{}, fmt.Errorf("launcher report %q: not numbers", line)
	}
	return launched{maxRSS: rss, cpu: time.Duration(cpu)}, nil
}

func writeReport(w io.Writer, ps *os.ProcessState) {
	fmt.Fprintf(w, "%d %d\n", maxRSS(ps), int64(ps.UserTime()+ps.SystemTime()))
}
