// Package loadstat holds what the load benchmarks share (telephony/twilio's
// calls, web's pages): an echo model (Echo), snapshots of the process (CPU
// time, heap, goroutines, how long goroutines waited to be scheduled), the
// host's CPU pressure, percentiles, and the metrics a run reports (Run).
// Together they tell a slow program from a loaded host, so a reader can
// judge a run.
package loadstat
