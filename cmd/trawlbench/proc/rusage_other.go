//go:build !unix

package proc

import "os"

// maxRSS is unknown where the system has no rusage.
func maxRSS(*os.ProcessState) int64 { return 0 }
