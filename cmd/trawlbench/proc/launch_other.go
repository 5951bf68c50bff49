//go:build !linux

package proc

// launcherWorks: elsewhere programs are started directly, and a peak RSS
// can include the harness's own.
const launcherWorks = false

func launch([]string) int { return 127 }
