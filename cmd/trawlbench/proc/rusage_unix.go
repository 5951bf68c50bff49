//go:build unix

package proc

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSS reads the peak resident set of an exited process from the
// rusage wait4 returned for it.
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	// Linux and the BSDs report kilobytes, macOS bytes.
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}
