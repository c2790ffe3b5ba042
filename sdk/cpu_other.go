//go:build !unix

package fsmeta

import "time"

// processCPU returns 0: the compactor then paces itself by wall time.
func processCPU() time.Duration { return 0 }
