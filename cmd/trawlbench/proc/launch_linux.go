package proc

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
)

// launcherWorks: Linux has Pdeathsig, which ends the program if the
// launcher is killed, so a harness that kills a stuck run leaves nothing
// behind.
const launcherWorks = true

// launch runs args as the launcher: the program with the launcher's
// standard streams, then its rusage on fd 3. The exit status is the
// program's (128+signal if a signal ended it).
func launch(args []string) int {
	if len(args) == 0 {
		return 127
	}
	// Pdeathsig follows the thread that started the child.
	runtime.LockOSThread()
	// ctrl+c in a terminal reaches the whole foreground group; the
	// program decides what it means, the launcher waits. Caught (not
	// ignored) signals are reset to the default in the child.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGTERM)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, launchEnv+"=") })
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		os.Stderr.WriteString("launcher: " + err.Error() + "\n")
		return 127
	}
	writeReport(os.NewFile(3, "report"), cmd.ProcessState)
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return cmd.ProcessState.ExitCode()
}
