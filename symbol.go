package fullduplex

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Modality is the kind of signal a Symbol carries.
type Modality string

// The modalities every backend understands.
const (
	ModalityAudio Modality = "audio"
	ModalityVideo Modality = "video"
	ModalityText  Modality = "text"
	ModalityImage Modality = "image"
)

// Metadata keys every backend uses the same way.
const (
	MetaSampleRate = "sample_rate" // int: audio samples per second
	MetaChannels   = "channels"    // int: interleaved audio channels
	MetaRole       = "role"        // string: "user" or "model"
	MetaTranscript = "transcript"  // bool: text transcribed from speech
	MetaFinal      = "final"       // bool: the transcript will not be revised
	MetaTurn       = "turn"        // int: which model turn produced it
)

// Values of Metadata[MetaRole].
const (
	RoleUser  = "user"
	RoleModel = "model"
)

// TextMIMEType is the MIME type of every text Symbol.
const TextMIMEType = "text/plain;charset=utf-8"

// A Symbol is one unit of perception or expression: an audio chunk, a text
// fragment, an image, a video frame.
//
// A Symbol is a value; copies share Data and Metadata, so treat both as
// read-only once the Symbol has been sent or received. Reading a Symbol from
// several goroutines is safe; mutating one that others hold is not.
type Symbol struct {
	Modality  Modality
	Data      []byte
	MIMEType  string // "audio/pcm;rate=16000", "text/plain;charset=utf-8", "image/jpeg"
	Timestamp time.Time
	Metadata  map[string]any
}

func (Symbol) isStreamItem() {}

// AudioSymbol returns an audio Symbol of 16-bit little-endian mono PCM at
// sampleRate. It does not check its input, so it never fails; use
// NewAudioSymbol, or Validate, to get an error for a bad sample rate or an
// odd number of bytes. Streams validate every Symbol they are sent.
func AudioSymbol(pcm []byte, sampleRate int) Symbol {
	return Symbol{
		Modality:  ModalityAudio,
		Data:      pcm,
		MIMEType:  PCMMIMEType(sampleRate),
		Timestamp: time.Now(),
		Metadata:  map[string]any{MetaSampleRate: sampleRate, MetaChannels: 1},
	}
}

// NewAudioSymbol is AudioSymbol with validation: it refuses empty PCM, a
// non-positive sample rate and an odd number of bytes, with an error that
// wraps ErrInvalidSymbol and says what is wrong.
func NewAudioSymbol(pcm []byte, sampleRate int) (Symbol, error) {
	s := AudioSymbol(pcm, sampleRate)
	if err := s.Validate(); err != nil {
		return Symbol{}, err
	}
	return s, nil
}

// TextSymbol returns a text Symbol holding text as UTF-8.
func TextSymbol(text string) Symbol {
	return Symbol{
		Modality:  ModalityText,
		Data:      []byte(text),
		MIMEType:  TextMIMEType,
		Timestamp: time.Now(),
	}
}

// ImageSymbol returns an image Symbol, for example a JPEG with mimeType "image/jpeg".
func ImageSymbol(data []byte, mimeType string) Symbol {
	return Symbol{Modality: ModalityImage, Data: data, MIMEType: mimeType, Timestamp: time.Now()}
}

// VideoSymbol returns one video frame as a Symbol, for example a JPEG frame
// with mimeType "image/jpeg".
func VideoSymbol(frame []byte, mimeType string) Symbol {
	return Symbol{Modality: ModalityVideo, Data: frame, MIMEType: mimeType, Timestamp: time.Now()}
}

// TextValue returns the text of a text Symbol; ok is false for any other modality.
func (s Symbol) TextValue() (text string, ok bool) {
	if s.Modality != ModalityText {
		return "", false
	}
	return string(s.Data), true
}

// SampleRate returns the sample rate of an audio Symbol, from
// Metadata[MetaSampleRate] or else the MIME type's rate parameter; it is 0
// unless the Symbol is audio.
func (s Symbol) SampleRate() int {
	if s.Modality != ModalityAudio {
		return 0
	}
	if r, ok := s.Metadata[MetaSampleRate].(int); ok {
		return r
	}
	return mimeParamInt(s.MIMEType, "rate")
}

// Channels returns the number of interleaved channels of an audio Symbol
// (Metadata[MetaChannels], else the MIME type's channels parameter, else 1);
// it is 0 unless the Symbol is audio.
func (s Symbol) Channels() int {
	if s.Modality != ModalityAudio {
		return 0
	}
	if c, ok := s.Metadata[MetaChannels].(int); ok {
		return c
	}
	if c := mimeParamInt(s.MIMEType, "channels"); c > 0 {
		return c
	}
	return 1
}

// Duration returns how long an audio Symbol plays (16-bit samples); it is 0
// for other modalities and for audio without a valid rate.
func (s Symbol) Duration() time.Duration {
	rate, ch := s.SampleRate(), s.Channels()
	if rate <= 0 || ch <= 0 {
		return 0
	}
	frames := int64(len(s.Data)) / int64(2*ch)
	return time.Duration(frames * int64(time.Second) / int64(rate))
}

// Role returns Metadata[MetaRole], or "" when it is not set.
func (s Symbol) Role() string {
	r, _ := s.Metadata[MetaRole].(string)
	return r
}

// Turn returns Metadata[MetaTurn]; ok is false when it is not set.
func (s Symbol) Turn() (turn int, ok bool) {
	turn, ok = s.Metadata[MetaTurn].(int)
	return turn, ok
}

// Validate reports what is wrong with s, wrapping ErrInvalidSymbol: an unknown
// modality, empty data, text that is not UTF-8, an image or video without a
// MIME type, or audio with a non-positive sample rate or channel count or a
// length that is not a whole number of 16-bit frames.
func (s Symbol) Validate() error {
	if len(s.Data) == 0 {
		return fmt.Errorf("%w: empty %s symbol", ErrInvalidSymbol, s.Modality)
	}
	switch s.Modality {
	case ModalityAudio:
		rate, ch := s.SampleRate(), s.Channels()
		if rate <= 0 {
			return fmt.Errorf("%w: audio sample rate is %d, want a positive rate (MIME type %q)", ErrInvalidSymbol, rate, s.MIMEType)
		}
		if ch <= 0 {
			return fmt.Errorf("%w: audio has %d channels", ErrInvalidSymbol, ch)
		}
		if len(s.Data)%(2*ch) != 0 {
			return fmt.Errorf("%w: %d bytes of 16-bit PCM with %d channel(s) is not a whole number of frames", ErrInvalidSymbol, len(s.Data), ch)
		}
	case ModalityText:
		if !utf8.Valid(s.Data) {
			return fmt.Errorf("%w: text is not valid UTF-8", ErrInvalidSymbol)
		}
	case ModalityImage, ModalityVideo:
		if s.MIMEType == "" {
			return fmt.Errorf("%w: %s symbol has no MIME type", ErrInvalidSymbol, s.Modality)
		}
	default:
		return fmt.Errorf("%w: unknown modality %q", ErrInvalidSymbol, s.Modality)
	}
	return nil
}

// String describes s briefly, without its data, for logs.
func (s Symbol) String() string {
	switch s.Modality {
	case ModalityText:
		t := string(s.Data)
		if len(t) > 40 {
			t = t[:40] + "…"
		}
		return fmt.Sprintf("text %q", t)
	case ModalityAudio:
		return fmt.Sprintf("audio %d bytes @%d Hz (%v)", len(s.Data), s.SampleRate(), s.Duration())
	default:
		return fmt.Sprintf("%s %d bytes %s", s.Modality, len(s.Data), s.MIMEType)
	}
}

// pcmMIME caches the MIME types of the common rates so that building an
// audio Symbol on the hot path does not format a string.
var pcmMIME = map[int]string{}

func init() {
	for _, r := range []int{8000, 16000, 22050, 24000, 32000, 44100, 48000} {
		pcmMIME[r] = "audio/pcm;rate=" + strconv.Itoa(r)
	}
}

// PCMMIMEType returns "audio/pcm;rate=N", the MIME type of 16-bit PCM at rate N.
func PCMMIMEType(rate int) string {
	if m, ok := pcmMIME[rate]; ok {
		return m
	}
	return "audio/pcm;rate=" + strconv.Itoa(rate)
}

// mimeParamInt returns the integer value of parameter key in a MIME type such
// as "audio/pcm;rate=16000", or 0 when it is absent or not a number.
func mimeParamInt(mime, key string) int {
	_, params, _ := strings.Cut(mime, ";")
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(k, key) {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return 0
			}
			return n
		}
	}
	return 0
}
