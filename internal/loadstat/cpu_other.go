//go:build !unix

package loadstat

import "time"

// CPUTime returns the CPU time the process has used: 0 on this system,
// which has no getrusage.
func CPUTime() time.Duration { return 0 }
