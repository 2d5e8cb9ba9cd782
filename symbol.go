package fullduplex

import (
	"fmt"
	"reflect"
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
	MetaSource     = "source"      // string: which input the symbol came from (package attention)
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
	Modality Modality
	Data     []byte
	MIMEType string // "audio/pcm;rate=16000", "text/plain;charset=utf-8", "image/jpeg"
	// Timestamp is when the Symbol was built. The constructors stamp it
	// with the wall time at which the process started plus the monotonic
	// time elapsed since (one clock read instead of time.Now's two), so
	// it carries a monotonic reading: Sub, Before and After against
	// time.Now are exact, and its wall time does not follow steps of the
	// system clock made after the start.
	Timestamp time.Time
	Metadata  map[string]any
}

func (Symbol) isStreamItem() {}

// AudioSymbol returns an audio Symbol of 16-bit little-endian mono PCM at
// sampleRate, stamped now. It does not check its input, so it never fails;
// Validate says what is wrong with a bad sample rate or an odd number of
// bytes, and every stream validates what it is sent.
//
// Its Metadata holds MetaSampleRate and MetaChannels. For the common rates
// (8, 11.025, 16, 22.05, 24, 32, 44.1 and 48 kHz) that map is shared by
// every such Symbol of the rate, so building one allocates nothing: read
// it freely, but never write to it — add keys with WithMeta, which copies.
// Validate refuses a Symbol whose shared map was written to.
func AudioSymbol(pcm []byte, sampleRate int) Symbol {
	if c := commonRate(sampleRate); c != nil {
		return Symbol{Modality: ModalityAudio, Data: pcm, MIMEType: c.mime, Timestamp: stamp(), Metadata: c.meta}
	}
	return Symbol{
		Modality:  ModalityAudio,
		Data:      pcm,
		MIMEType:  PCMMIMEType(sampleRate),
		Timestamp: stamp(),
		Metadata:  map[string]any{MetaSampleRate: sampleRate, MetaChannels: 1},
	}
}

// WithMeta returns a copy of s whose Metadata is a new map holding s's
// entries and key set to value; s and its map are left as they are.
func (s Symbol) WithMeta(key string, value any) Symbol {
	m := make(map[string]any, len(s.Metadata)+1)
	for k, v := range s.Metadata {
		m[k] = v
	}
	m[key] = value
	s.Metadata = m
	return s
}

// TextSymbol returns a text Symbol holding text as UTF-8.
func TextSymbol(text string) Symbol {
	return Symbol{
		Modality:  ModalityText,
		Data:      []byte(text),
		MIMEType:  TextMIMEType,
		Timestamp: stamp(),
	}
}

// ImageSymbol returns an image Symbol, for example a JPEG with mimeType "image/jpeg".
func ImageSymbol(data []byte, mimeType string) Symbol {
	return Symbol{Modality: ModalityImage, Data: data, MIMEType: mimeType, Timestamp: stamp()}
}

// VideoSymbol returns one video frame as a Symbol, for example a JPEG frame
// with mimeType "image/jpeg".
func VideoSymbol(frame []byte, mimeType string) Symbol {
	return Symbol{Modality: ModalityVideo, Data: frame, MIMEType: mimeType, Timestamp: stamp()}
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
		if err := checkSharedMeta(s); err != nil {
			return err
		}
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

// commonRates caches, for the common rates, the MIME type and the metadata
// of an AudioSymbol, so that building one on the hot path neither formats a
// string nor allocates a map. It is read-only after init.
var commonRates [8]pcmRate

// A pcmRate is what AudioSymbol shares among the symbols of one rate.
type pcmRate struct {
	mime string
	meta map[string]any
}

func init() {
	for _, r := range []int{8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000} {
		commonRates[rateIndex(r)] = pcmRate{
			mime: "audio/pcm;rate=" + strconv.Itoa(r),
			meta: map[string]any{MetaSampleRate: r, MetaChannels: 1},
		}
	}
}

// commonRate returns the shared MIME type and metadata of rate, or nil when
// rate is not a common one. A switch costs less than hashing a map key.
func commonRate(rate int) *pcmRate {
	if i := rateIndex(rate); i >= 0 {
		return &commonRates[i]
	}
	return nil
}

// rateIndex returns the index of rate in commonRates, or -1.
func rateIndex(rate int) int {
	switch rate {
	case 8000:
		return 0
	case 11025:
		return 1
	case 16000:
		return 2
	case 22050:
		return 3
	case 24000:
		return 4
	case 32000:
		return 5
	case 44100:
		return 6
	case 48000:
		return 7
	}
	return -1
}

// checkSharedMeta reports an error when s's Metadata is one of the shared
// maps of AudioSymbol (found by the rate of its MIME type, which
// AudioSymbol sets alongside) and something wrote to it.
func checkSharedMeta(s Symbol) error {
	rate := mimeParamInt(s.MIMEType, "rate")
	c := commonRate(rate)
	if c == nil || s.Metadata == nil || reflect.ValueOf(s.Metadata).UnsafePointer() != reflect.ValueOf(c.meta).UnsafePointer() {
		return nil
	}
	shared := c.meta
	if r, _ := shared[MetaSampleRate].(int); len(shared) != 2 || r != rate || shared[MetaChannels] != 1 {
		return fmt.Errorf("%w: the shared Metadata of AudioSymbol was written to (it must stay read-only; add keys with Symbol.WithMeta)", ErrInvalidSymbol)
	}
	return nil
}

// PCMMIMEType returns "audio/pcm;rate=N", the MIME type of 16-bit PCM at rate N.
func PCMMIMEType(rate int) string {
	if c := commonRate(rate); c != nil {
		return c.mime
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
