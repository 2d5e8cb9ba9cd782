package livekit

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/livekit"
)

// The API key and secret of `livekit-server --dev`.
const (
	DevAPIKey    = "devkey"
	DevAPISecret = "secret"
)

// Keys returns the API key and secret in $LIVEKIT_API_KEY and
// $LIVEKIT_API_SECRET, or the --dev server's when neither is set.
func Keys() (apiKey, apiSecret string) {
	k, s := os.Getenv("LIVEKIT_API_KEY"), os.Getenv("LIVEKIT_API_SECRET")
	if k == "" && s == "" {
		return DevAPIKey, DevAPISecret
	}
	return k, s
}

// TokenConfig describes an access token to mint. The zero value means the
// defaults in each field's comment; Room and Identity are required. A
// TokenConfig is a value: NewToken only reads it.
type TokenConfig struct {
	// APIKey and APISecret sign the token. Default Keys().
	APIKey, APISecret string
	// Room is the room the token joins (created on first join).
	Room string
	// Identity is the participant's identity in the room.
	Identity string
	// Name is the participant's display name. Default: none.
	Name string
	// TTL is how long the token is valid. Default 1 hour.
	TTL time.Duration
	// Agents, when set, asks the server to dispatch these named agents
	// (WorkerConfig.AgentName) to the room when this token creates it.
	Agents []string
}

// NewToken mints an access token that joins cfg.Room as cfg.Identity with
// permission to publish, subscribe and send data: for tests, examples and
// a caller's client. Production tokens come from your own token service.
func NewToken(cfg TokenConfig) (string, error) {
	if cfg.Room == "" || cfg.Identity == "" {
		return "", errors.New("livekit: NewToken needs a Room and an Identity")
	}
	if cfg.APIKey == "" && cfg.APISecret == "" {
		cfg.APIKey, cfg.APISecret = Keys()
	}
	if cfg.TTL <= 0 {
		cfg.TTL = time.Hour
	}
	at := auth.NewAccessToken(cfg.APIKey, cfg.APISecret).
		SetVideoGrant(&auth.VideoGrant{RoomJoin: true, Room: cfg.Room}).
		SetIdentity(cfg.Identity).
		SetName(cfg.Name).
		SetValidFor(cfg.TTL)
	if len(cfg.Agents) > 0 {
		var ds []*livekit.RoomAgentDispatch
		for _, a := range cfg.Agents {
			ds = append(ds, &livekit.RoomAgentDispatch{AgentName: a})
		}
		at.SetRoomConfig(&livekit.RoomConfiguration{Agents: ds})
	}
	tok, err := at.ToJWT()
	if err != nil {
		return "", fmt.Errorf("livekit: sign token: %w", err)
	}
	return tok, nil
}

// workerToken mints the token a worker registers with.
func workerToken(apiKey, apiSecret string) (string, error) {
	tok, err := auth.NewAccessToken(apiKey, apiSecret).
		SetVideoGrant(&auth.VideoGrant{Agent: true}).
		SetValidFor(time.Hour).
		ToJWT()
	if err != nil {
		return "", fmt.Errorf("livekit: sign worker token: %w", err)
	}
	return tok, nil
}
