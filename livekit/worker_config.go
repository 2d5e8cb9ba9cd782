package livekit

import (
	"os"
	"syscall"
	"time"
)

// WorkerConfig configures a Worker. The zero value means the defaults in
// each field's comment. A WorkerConfig is a value: NewWorker copies it.
type WorkerConfig struct {
	// URL of the LiveKit server. Default $LIVEKIT_URL, then DefaultURL.
	URL string
	// APIKey and APISecret authenticate the worker (and sign nothing
	// else: the server mints each job's token). Default Keys().
	APIKey, APISecret string
	// AgentName names the agent. Default "": the server dispatches the
	// worker to every new room automatically; a named agent is only
	// dispatched explicitly (TokenConfig.Agents, or the agent dispatch
	// API), as LiveKit does.
	AgentName string
	// MaxJobs is how many rooms the worker serves at once; it reports
	// itself full at that load and declines further jobs. Default 4.
	MaxJobs int
	// Version is the worker version reported to the server. Default
	// "fullduplex".
	Version string
	// Room is the template of each job's Room; URL and Token are set per
	// job. Default: Config's defaults.
	Room Config
	// ReconnectTimeout is how long Run keeps dialling (with backoff) after
	// its connection to the server is lost before it gives up: it then
	// takes no new job and returns the error once its jobs have ended.
	// Default 60 s.
	ReconnectTimeout time.Duration
	// OnJobEnd, when set, is called once each job has ended, on the
	// job's goroutine, with its room's name and why it ended: nil when the
	// Handler returned nil or the job was cancelled, else the error of
	// joining the room or of the Handler (the job's token redacted), the
	// one the server is told. Default nil.
	OnJobEnd func(room string, err error)
	// DrainOn are the signals that make Run drain (see Worker.Drain).
	// Default SIGTERM. Run stops listening for them when it returns.
	DrainOn []os.Signal
}

func (c WorkerConfig) withDefaults() WorkerConfig {
	if c.URL == "" {
		c.URL = os.Getenv("LIVEKIT_URL")
	}
	if c.URL == "" {
		c.URL = DefaultURL
	}
	if c.APIKey == "" && c.APISecret == "" {
		c.APIKey, c.APISecret = Keys()
	}
	if c.MaxJobs <= 0 {
		c.MaxJobs = 4
	}
	if c.Version == "" {
		c.Version = "fullduplex"
	}
	if c.ReconnectTimeout <= 0 {
		c.ReconnectTimeout = 60 * time.Second
	}
	if c.DrainOn == nil {
		c.DrainOn = []os.Signal{syscall.SIGTERM}
	}
	return c
}
