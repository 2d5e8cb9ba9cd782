package audio

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// MicrophoneConfig configures OpenMicrophone. The zero value means the
// defaults in each field's comment.
type MicrophoneConfig struct {
	// Device selects the input device: "" for the system default, a decimal
	// index from Devices, or a name (exact, else a unique substring).
	Device string
	// SampleRate is the rate of the symbols Next returns. Default 16000,
	// what Gemini Live takes.
	SampleRate int
	// Chunk is the length of each symbol, 10 ms to 100 ms. Default 20 ms.
	Chunk time.Duration
	// DeviceRate is the rate the device is opened at. Default: the
	// device's default rate.
	DeviceRate int
	// Period is the PortAudio callback period. Default 10 ms.
	Period time.Duration
	// Latency is the suggested input latency. Default: the device's
	// default low input latency.
	Latency time.Duration
	// Buffer bounds the audio held between the callback and Next; audio
	// that arrives while it is full is dropped and counted as overflow.
	// Default 2 s.
	Buffer time.Duration
	// StallTimeout: when the device delivers nothing for this long, Next
	// returns an error wrapping ErrDeviceLost. Default 2 s.
	StallTimeout time.Duration
}

// Microphone defaults.
const (
	DefaultInputRate   = 16000
	DefaultChunk       = 20 * time.Millisecond
	DefaultInputBuffer = 2 * time.Second
)

func (c MicrophoneConfig) withDefaults() (MicrophoneConfig, error) {
	if c.SampleRate == 0 {
		c.SampleRate = DefaultInputRate
	}
	if c.SampleRate < pcm.MinRate || c.SampleRate > pcm.MaxRate {
		return c, fmt.Errorf("audio: microphone SampleRate %d Hz out of range", c.SampleRate)
	}
	if c.Chunk == 0 {
		c.Chunk = DefaultChunk
	}
	if c.Chunk < 10*time.Millisecond || c.Chunk > 100*time.Millisecond {
		return c, fmt.Errorf("audio: microphone Chunk %v (want 10ms to 100ms)", c.Chunk)
	}
	if c.Period <= 0 {
		c.Period = DefaultPeriod
	}
	if c.Buffer <= 0 {
		c.Buffer = DefaultInputBuffer
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = DefaultStallTimeout
	}
	if c.DeviceRate < 0 || c.DeviceRate > 0 && (c.DeviceRate < pcm.MinRate || c.DeviceRate > pcm.MaxRate) {
		return c, fmt.Errorf("audio: microphone DeviceRate %d Hz out of range", c.DeviceRate)
	}
	return c, nil
}

// MicrophoneStats counts what a Microphone has done so far.
type MicrophoneStats struct {
	Captured        int64 // device frames the callback received
	Overflows       int64 // callbacks whose audio did not fit in the buffer (audio dropped)
	DroppedFrames   int64 // device frames dropped for lack of room
	DeviceOverflows int64 // callbacks PortAudio flagged with an input overflow
	Callbacks       int64
	Chunks          int64 // symbols returned by Next
}

// A Microphone captures audio from an input device and is a
// fullduplex.Source of 16-bit mono PCM symbols (role "user").
//
// Next is for one goroutine at a time; Stats, Device and Close are safe from
// any goroutine, and Close unblocks a waiting Next.
type Microphone struct {
	cfg   MicrophoneConfig
	dev   Device
	rate  int // device rate
	chunk int // output samples per symbol
	c     *cstream

	// owned by Next
	nextMu sync.Mutex
	rs     *pcm.Resampler
	raw    []int16
	out    []int16
	made   int64 // output samples produced by the resampler
	timer  *time.Timer
	chunks atomic.Int64

	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

var _ fullduplex.Source = (*Microphone)(nil)

// OpenMicrophone opens and starts an input device. Close it when done.
func OpenMicrophone(cfg MicrophoneConfig) (*Microphone, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dev, rate, c, err := openDevice(cfg.Device, true, cfg.DeviceRate, cfg.Period, cfg.Latency, cfg.Buffer, time.Second)
	if err != nil {
		return nil, err
	}
	rs, err := pcm.NewResampler(rate, cfg.SampleRate)
	if err != nil {
		_ = c.close()
		return nil, fmt.Errorf("audio: microphone at %d Hz: %w", rate, err)
	}
	return newMicrophone(cfg, dev, rate, c, rs), nil
}

func ringSize(rate int, d time.Duration) int {
	return max(1, int(int64(rate)*int64(d)/int64(time.Second)))
}

func newMicrophone(cfg MicrophoneConfig, dev Device, rate int, c *cstream, rs *pcm.Resampler) *Microphone {
	return &Microphone{
		cfg:   cfg,
		dev:   dev,
		rate:  rate,
		chunk: int(int64(cfg.SampleRate) * int64(cfg.Chunk) / int64(time.Second)),
		c:     c,
		rs:    rs,
		done:  make(chan struct{}),
	}
}

// Device returns the device in use.
func (m *Microphone) Device() Device { return m.dev }

// DeviceRate returns the rate the device was opened at.
func (m *Microphone) DeviceRate() int { return m.rate }

// SampleRate returns the rate of the symbols Next returns.
func (m *Microphone) SampleRate() int { return m.cfg.SampleRate }

// Stats returns the counters so far.
func (m *Microphone) Stats() MicrophoneStats {
	st := m.c.stats()
	return MicrophoneStats{
		Captured:        st.frames,
		Overflows:       st.overflows,
		DroppedFrames:   st.dropped,
		DeviceOverflows: st.devXruns,
		Callbacks:       st.callbacks,
		Chunks:          m.chunks.Load(),
	}
}

// Next returns the next chunk of captured audio: 16-bit mono PCM at
// SampleRate, Chunk long, with Timestamp set to the estimated capture time
// of its last sample and Metadata[MetaRole] "user". It blocks until a chunk
// is ready or ctx is done. After Close it returns io.EOF (the input has
// finished); when the device stops delivering audio (for StallTimeout, or
// PortAudio stops the stream) it returns an error wrapping ErrDeviceLost.
//
// The callback does not wake Next (no Go code runs on the audio thread):
// Next polls the ring every half callback period while it waits.
func (m *Microphone) Next(ctx context.Context) (fullduplex.Symbol, error) {
	m.nextMu.Lock()
	defer m.nextMu.Unlock()
	for {
		if len(m.out) >= m.chunk {
			return m.emit(), nil
		}
		select {
		case <-m.done:
			return fullduplex.Symbol{}, io.EOF
		default:
		}
		if m.pull() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fullduplex.Symbol{}, err
		}
		if err := m.c.lost(m.dev.Name, m.cfg.StallTimeout); err != nil {
			return fullduplex.Symbol{}, err
		}
		wait := max(time.Millisecond, m.cfg.Period/2)
		if m.timer == nil {
			m.timer = time.NewTimer(wait)
		} else {
			m.timer.Reset(wait)
		}
		select {
		case <-m.done:
		case <-ctx.Done():
		case <-m.timer.C:
		}
		m.timer.Stop()
	}
}

// pull moves what the callback captured through the resampler; it reports
// whether there was anything.
func (m *Microphone) pull() bool {
	if m.raw == nil {
		m.raw = make([]int16, max(256, m.rate/25))
	}
	n := m.c.read(m.raw)
	if n == 0 {
		return false
	}
	before := len(m.out)
	m.out = m.rs.Process(m.out, m.raw[:n])
	m.made += int64(len(m.out) - before)
	return true
}

// emit returns the first chunk of m.out as a Symbol.
func (m *Microphone) emit() fullduplex.Symbol {
	data := pcm.EncodeInt16(make([]byte, 0, 2*m.chunk), m.out[:m.chunk])
	rest := copy(m.out, m.out[m.chunk:])
	m.out = m.out[:rest]
	m.chunks.Add(1)

	// Output sample p sits at device sample p·rate/SampleRate; the latest
	// callback had captured up to stampW at lastCallback.
	endOut := m.made - int64(len(m.out))
	endDev := endOut * int64(m.rate) / int64(m.cfg.SampleRate)
	st := m.c.stats()
	now := time.Now()
	ts := now
	if st.stampW > 0 {
		captured := st.lastCallback - time.Duration(int64(st.stampW)-endDev)*time.Second/time.Duration(m.rate)
		ts = now.Add(captured - monotonicNow())
	}
	s := fullduplex.AudioSymbol(data, m.cfg.SampleRate).WithMeta(fullduplex.MetaRole, fullduplex.RoleUser)
	s.Timestamp = ts
	return s
}

// Close stops the device and unblocks Next, which then returns io.EOF. It
// is idempotent and safe from any goroutine.
func (m *Microphone) Close() error {
	m.closeOnce.Do(func() {
		close(m.done)
		m.closeErr = m.c.close()
	})
	return m.closeErr
}
