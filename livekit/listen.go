package livekit

// A ListenPolicy chooses whose audio the agent hears. The zero value is
// FirstCaller. A ListenPolicy is a value: copy it freely.
type ListenPolicy struct {
	all      bool
	identity string
}

// FirstCaller listens to the first participant (other than agents) who
// publishes audio, and to no one else; when that participant leaves, the
// input ends (the Room's Next returns io.EOF).
func FirstCaller() ListenPolicy { return ListenPolicy{} }

// Identity listens to the participant with this identity only; when it
// leaves, the input ends.
func Identity(identity string) ListenPolicy { return ListenPolicy{identity: identity} }

// AllCallers listens to every participant (other than agents) and mixes
// their audio into one stream; each symbol's metadata names who spoke in it
// (MetaIdentity, MetaIdentities). The input ends when everyone it heard has
// left.
func AllCallers() ListenPolicy { return ListenPolicy{all: true} }

// String describes the policy.
func (p ListenPolicy) String() string {
	switch {
	case p.all:
		return "all callers"
	case p.identity != "":
		return "identity " + p.identity
	}
	return "first caller"
}
