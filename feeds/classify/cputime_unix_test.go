//go:build unix

package classify

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, so benchmarks on a busy
// shared machine can say how much work an item costs, apart from how long
// it waited for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
