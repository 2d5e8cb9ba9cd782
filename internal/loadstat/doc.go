// Package loadstat holds the measurements the load benchmarks share
// (telephony/twilio's calls, web's pages): the process's CPU time, how long
// goroutines waited to be scheduled, the host's CPU pressure, and
// percentiles of latencies. They tell a slow program from a loaded host, so
// a reader can judge a run.
package loadstat
