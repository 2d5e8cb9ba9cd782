package fullduplex

import "time"

// stampBase anchors stamp: the wall and monotonic clocks read once, when the
// package is initialised.
var stampBase = time.Now()

// stamp returns the time now as Symbol.Timestamp and StreamEvent.Timestamp
// state it: stampBase plus the monotonic time elapsed since. It reads one
// clock where time.Now reads two (BenchmarkStamp). It is safe to call from
// any goroutine.
func stamp() time.Time {
	return stampBase.Add(time.Since(stampBase))
}
