// fdpa: the C half of package audio. The PortAudio callback runs entirely in
// C: it moves samples between the device and a lock-free single-producer,
// single-consumer ring of 16-bit mono samples, so no Go code (and no
// allocation, lock or panic) ever runs on the audio thread.
#ifndef FULLDUPLEX_FDPA_H
#define FULLDUPLEX_FDPA_H

#include <portaudio.h>
#include <stdatomic.h>
#include <stdint.h>

#define FD_HIST 512 // output levels kept: about 5 s of 10 ms callbacks

typedef struct fd_stream {
	PaStream *pa;
	int input;    // 1: capture (the callback produces), 0: playback (it consumes)
	int channels; // device channels; the ring is mono
	double level_tau_ns;

	int16_t *buf;
	uint64_t cap; // ring capacity in samples

	_Atomic uint64_t w;        // samples ever written (published)
	_Atomic uint64_t r;        // samples ever read
	_Atomic uint64_t flush_to; // playback: skip everything before this write position
	_Atomic int paused;        // playback: play silence and keep the queue (fd_flush clears it)

	_Atomic int64_t last_cb_ns; // CLOCK_MONOTONIC of the latest callback
	_Atomic uint64_t stamp_w;   // capture: w after the latest callback
	_Atomic int64_t callbacks;
	_Atomic int64_t frames;      // playback: queued frames played; capture: frames captured
	_Atomic int64_t underruns;   // playback: ran dry right after playing
	_Atomic int64_t dropped;     // capture: frames dropped for lack of room
	_Atomic int64_t overflows;   // capture: callbacks that dropped frames
	_Atomic int64_t dev_xruns;   // callbacks PortAudio flagged with an under/overflow
	_Atomic int64_t flush_cb_ns; // playback: first callback that honoured the latest flush
	_Atomic int playing;         // playback: the latest callback played queued audio
	_Atomic uint64_t level_bits; // playback: decaying output level (a double)
	_Atomic int64_t level_ns;    // when level_bits was computed

	// playback: a copy of everything played (silence included), for an
	// echo canceller; the callback writes, one Go reader reads.
	int16_t *tap;
	uint64_t tap_cap;
	_Atomic uint64_t tap_w, tap_r;
	_Atomic int64_t tap_dropped;

	// playback: the level of each callback's output (RMS, linear, as
	// float bits) and when it reaches the speaker (CLOCK_MONOTONIC ns, from
	// PortAudio's DAC time), the latest FD_HIST callbacks; entry i is at
	// i % FD_HIST, hist_w counts the entries ever written.
	_Atomic int64_t hist_t[FD_HIST];
	_Atomic uint32_t hist_rms[FD_HIST];
	_Atomic uint64_t hist_w;
	_Atomic int64_t dac_delay_ns; // the latest callback's DAC time minus its start

	// playback: where each of those callbacks read in the ring: its read
	// position (after any flush jump) and the samples it played, for the
	// played position (fd_heard).
	_Atomic uint64_t hist_r0[FD_HIST];
	_Atomic uint32_t hist_n[FD_HIST];
	int rate; // the device rate; set before the stream starts

	// touched by the callback only
	int was_playing;
	uint64_t flush_seen;
	// test_race: if nonzero, the next playback callback commits this many
	// staged samples and flushes at the point where it has read one
	// index and not the other (tests of the flush ordering only).
	uint64_t test_race;
} fd_stream;

int64_t fd_now_ns(void);
fd_stream *fd_new(int input, int channels, uint64_t cap, double level_tau_ns);
void fd_free(fd_stream *s);
int fd_callback(const void *in, void *out, unsigned long frames,
	const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user);
PaError fd_open(fd_stream *s, int device, double rate, unsigned long frames, double latency);

// Go side of the ring.
uint64_t fd_stage(fd_stream *s, const int16_t *src, uint64_t n); // copy, unpublished
void fd_commit(fd_stream *s, uint64_t n);                         // publish staged samples
uint64_t fd_read(fd_stream *s, int16_t *dst, uint64_t n);
uint64_t fd_queued(fd_stream *s);
void fd_flush(fd_stream *s);
// fd_realtime asks for real-time scheduling of an ALSA stream's callback
// thread (before Pa_StartStream); it returns 0 for other host APIs.
int fd_realtime(fd_stream *s, int device, int enable);
void fd_pause(fd_stream *s, int paused);
double fd_level(fd_stream *s, int64_t now);
const char *fd_error_text(PaError err);
uint64_t fd_tap_read(fd_stream *s, int16_t *dst, uint64_t n);
void fd_tap_reset(fd_stream *s);
// fd_hist_read copies up to n of the newest output levels, newest first,
// into t (ns) and rms; it returns how many are valid.
int fd_hist_read(fd_stream *s, int64_t *t, float *rms, int n);
int64_t fd_dac_delay(fd_stream *s);
// fd_written returns w: the samples ever published.
uint64_t fd_written(fd_stream *s);
// fd_heard returns the ring position (samples ever written) heard by
// monotonic time now: of the newest callback whose buffer reached the DAC
// by now, its read position plus what of its samples has played since.
// 0 before any callback.
uint64_t fd_heard(fd_stream *s, int64_t now);
// fd_drive_dac runs the playback callback by hand (tests, benchmarks) at
// monotonic time now, with PortAudio's DAC time dac_delay_ns later.
int fd_drive_dac(fd_stream *s, int16_t *out, unsigned long frames, int64_t now, int64_t dac_delay_ns);

// A plain copy of the counters, for Go (cgo cannot read _Atomic fields).
typedef struct fd_stats {
	int64_t last_cb_ns, callbacks, frames, underruns, dropped, overflows, dev_xruns, flush_cb_ns;
	uint64_t w, r, stamp_w;
	int playing;
} fd_stats;
void fd_get_stats(fd_stream *s, fd_stats *out);
// fd_drive runs the callback by hand (tests without a device), as if at
// now (CLOCK_MONOTONIC ns; 0: the clock's now).
int fd_drive(fd_stream *s, const int16_t *in, int16_t *out, unsigned long frames, unsigned long flags, int64_t now);

#endif
