package livekit

import (
	"sync"

	protologger "github.com/livekit/protocol/logger"
)

// quietLogger is the logger a Room gives the SDK (and through it pion): a
// zap logger that keeps only fatal messages, so the SDK prints nothing.
// Not the SDK's discard logger: pion's adapter for a logger that is not
// zap formats every debug message before dropping it, and one of those
// (onTrack's) reads a receiver that pion writes on another goroutine, a
// data race the race detector reports. A zap logger's level is checked
// before anything is formatted.
var quietLogger = sync.OnceValue(func() protologger.Logger {
	l, err := protologger.NewZapLogger(&protologger.Config{Level: "fatal"})
	if err != nil {
		return protologger.GetDiscardLogger()
	}
	return l
})
