package livekit

import (
	"testing"

	lksdk "github.com/livekit/server-sdk-go/v2"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// The SDK logs pion's connection states to stderr by default.
	lksdk.SetLogger(quietLogger())
	goleak.VerifyTestMain(m,
		// started at init by genai's auth dependency (DESIGN.md, Tests)
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
		// the idle keep-alive connections of the server SDK's API clients
		// (RoomServiceClient, AgentDispatchClient), whose http.Client the
		// tests cannot reach to close
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"),
	)
}
