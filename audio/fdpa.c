#include "fdpa.h"

#ifdef __linux__
#include <pa_linux_alsa.h>
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t fd_now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

fd_stream *fd_new(int input, int channels, uint64_t cap, double level_tau_ns) {
	fd_stream *s = calloc(1, sizeof *s);
	if (!s) return NULL;
	s->buf = calloc(cap ? cap : 1, sizeof(int16_t));
	if (!s->buf) {
		free(s);
		return NULL;
	}
	if (!input) {
		s->tap_cap = cap < 96000 ? 96000 : (cap > 480000 ? 480000 : cap);
		s->tap = calloc(s->tap_cap, sizeof(int16_t));
		if (!s->tap) {
			free(s->buf);
			free(s);
			return NULL;
		}
	}
	s->input = input;
	s->channels = channels > 0 ? channels : 1;
	s->cap = cap ? cap : 1;
	s->level_tau_ns = level_tau_ns > 0 ? level_tau_ns : 1;
	atomic_store(&s->last_cb_ns, fd_now_ns());
	return s;
}

void fd_free(fd_stream *s) {
	if (!s) return;
	free(s->buf);
	free(s->tap);
	free(s);
}

static double bits_to_double(uint64_t b) {
	double d;
	memcpy(&d, &b, sizeof d);
	return d;
}

static uint64_t double_to_bits(double d) {
	uint64_t b;
	memcpy(&b, &d, sizeof b);
	return b;
}

static void capture(fd_stream *s, const int16_t *in, unsigned long frames) {
	uint64_t w = atomic_load_explicit(&s->w, memory_order_relaxed);
	uint64_t r = atomic_load_explicit(&s->r, memory_order_acquire);
	uint64_t space = s->cap - (w - r);
	uint64_t n = frames < space ? frames : space;
	int ch = s->channels;
	for (uint64_t i = 0; i < n; i++) {
		int16_t v = 0;
		if (in) {
			if (ch == 1) {
				v = in[i];
			} else {
				int32_t sum = 0;
				for (int c = 0; c < ch; c++) sum += in[i * ch + c];
				v = (int16_t)(sum / ch);
			}
		}
		s->buf[(w + i) % s->cap] = v;
	}
	atomic_store_explicit(&s->w, w + n, memory_order_release);
	atomic_fetch_add_explicit(&s->frames, (int64_t)frames, memory_order_relaxed);
	if (n < frames) {
		atomic_fetch_add_explicit(&s->dropped, (int64_t)(frames - n), memory_order_relaxed);
		atomic_fetch_add_explicit(&s->overflows, 1, memory_order_relaxed);
	}
	atomic_store_explicit(&s->stamp_w, w + n, memory_order_relaxed);
}

static void play(fd_stream *s, int16_t *out, unsigned long frames, int64_t now, int64_t dac) {
	int ch = s->channels;
	if (!out) return;
	uint64_t r = atomic_load_explicit(&s->r, memory_order_relaxed);
	uint64_t w = atomic_load_explicit(&s->w, memory_order_acquire);
	if (s->test_race) {
		fd_commit(s, s->test_race);
		fd_flush(s);
		s->test_race = 0;
	}
	// flush_to is a floor for r on every callback, not a one-shot event:
	// a commit and a Flush that land between the two loads (f beyond the
	// w read above) skip what this callback can see now, and the rest on
	// the next one, so no sample committed before a Flush plays after
	// the callback that first sees it.
	// paused is loaded before flush_to: a Flush clears it after moving
	// flush_to, so a callback that sees the pause lifted by a Flush also
	// sees that Flush.
	int paused = atomic_load_explicit(&s->paused, memory_order_acquire);
	uint64_t f = atomic_load_explicit(&s->flush_to, memory_order_acquire);
	int flushed = 0;
	if (f != s->flush_seen) {
		s->flush_seen = f;
		flushed = 1;
	}
	if (f > r) {
		r = f < w ? f : w;
		flushed = 1;
	}
	uint64_t avail = paused ? 0 : w - r;
	uint64_t n = frames < avail ? frames : avail;
	double sum = 0;
	for (uint64_t i = 0; i < n; i++) {
		int16_t v = s->buf[(r + i) % s->cap];
		sum += (double)v * v;
		for (int c = 0; c < ch; c++) out[i * ch + c] = v;
	}
	if (n < frames) memset(out + n * ch, 0, (frames - n) * ch * sizeof(int16_t));
	if (s->tap) {
		uint64_t tw = atomic_load_explicit(&s->tap_w, memory_order_relaxed);
		uint64_t tr = atomic_load_explicit(&s->tap_r, memory_order_acquire);
		uint64_t room = s->tap_cap - (tw - tr);
		uint64_t k = frames < room ? frames : room;
		for (uint64_t i = 0; i < k; i++) s->tap[(tw + i) % s->tap_cap] = out[i * ch];
		atomic_store_explicit(&s->tap_w, tw + k, memory_order_release);
		if (k < frames) atomic_fetch_add_explicit(&s->tap_dropped, (int64_t)(frames - k), memory_order_relaxed);
	}
	atomic_store_explicit(&s->r, r + n, memory_order_release);
	atomic_fetch_add_explicit(&s->frames, (int64_t)n, memory_order_relaxed);
	if (n < frames && s->was_playing && !flushed && !paused)
		atomic_fetch_add_explicit(&s->underruns, 1, memory_order_relaxed);
	s->was_playing = n == frames && n > 0;
	atomic_store_explicit(&s->playing, n > 0, memory_order_relaxed);
	if (flushed) atomic_store_explicit(&s->flush_cb_ns, now, memory_order_relaxed);

	// Decaying peak of the per-callback RMS.
	double rms = frames ? sqrt(sum / frames) / 32768.0 : 0;
	double prev = bits_to_double(atomic_load_explicit(&s->level_bits, memory_order_relaxed));
	int64_t at = atomic_load_explicit(&s->level_ns, memory_order_relaxed);
	if (prev > 0 && now > at) prev *= exp(-(double)(now - at) / s->level_tau_ns);
	atomic_store_explicit(&s->level_bits, double_to_bits(rms > prev ? rms : prev), memory_order_relaxed);
	atomic_store_explicit(&s->level_ns, now, memory_order_relaxed);

	uint64_t hw = atomic_load_explicit(&s->hist_w, memory_order_relaxed);
	float f32 = (float)rms;
	uint32_t fb;
	memcpy(&fb, &f32, sizeof fb);
	atomic_store_explicit(&s->hist_t[hw % FD_HIST], dac, memory_order_relaxed);
	atomic_store_explicit(&s->hist_rms[hw % FD_HIST], fb, memory_order_relaxed);
	atomic_store_explicit(&s->hist_r0[hw % FD_HIST], r, memory_order_relaxed);
	atomic_store_explicit(&s->hist_n[hw % FD_HIST], (uint32_t)n, memory_order_relaxed);
	atomic_store_explicit(&s->hist_w, hw + 1, memory_order_release);
	atomic_store_explicit(&s->dac_delay_ns, dac - now, memory_order_relaxed);
}

static int callback_at(fd_stream *s, const void *in, void *out, unsigned long frames,
	const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, int64_t now) {
	atomic_fetch_add_explicit(&s->callbacks, 1, memory_order_relaxed);
	if (flags & (paInputOverflow | paOutputUnderflow | paInputUnderflow | paOutputOverflow))
		atomic_fetch_add_explicit(&s->dev_xruns, 1, memory_order_relaxed);
	if (s->input)
		capture(s, in, frames);
	else {
		// When this buffer reaches the speaker: PortAudio's estimate, if
		// it has a plausible one (within 2 s).
		int64_t dac = now;
		if (ti && ti->outputBufferDacTime > ti->currentTime && ti->outputBufferDacTime - ti->currentTime < 2.0)
			dac = now + (int64_t)((ti->outputBufferDacTime - ti->currentTime) * 1e9);
		play(s, out, frames, now, dac);
	}
	atomic_store_explicit(&s->last_cb_ns, now, memory_order_release);
	return paContinue;
}

int fd_callback(const void *in, void *out, unsigned long frames,
	const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags, void *user) {
	return callback_at(user, in, out, frames, ti, flags, fd_now_ns());
}

PaError fd_open(fd_stream *s, int device, double rate, unsigned long frames, double latency) {
	PaStreamParameters p;
	memset(&p, 0, sizeof p);
	p.device = device;
	p.channelCount = s->channels;
	p.sampleFormat = paInt16;
	p.suggestedLatency = latency;
	return Pa_OpenStream(&s->pa, s->input ? &p : NULL, s->input ? NULL : &p,
		rate, frames, paClipOff, fd_callback, s);
}

int fd_realtime(fd_stream *s, int device, int enable) {
#ifdef __linux__
	const PaDeviceInfo *d = Pa_GetDeviceInfo(device);
	const PaHostApiInfo *h = d ? Pa_GetHostApiInfo(d->hostApi) : NULL;
	// PaAlsa_EnableRealtimeScheduling takes the stream as ALSA's own:
	// only for an ALSA stream.
	if (h && h->type == paALSA) {
		PaAlsa_EnableRealtimeScheduling(s->pa, enable);
		return 1;
	}
#endif
	(void)s; (void)device; (void)enable;
	return 0;
}

uint64_t fd_stage(fd_stream *s, const int16_t *src, uint64_t n) {
	uint64_t w = atomic_load_explicit(&s->w, memory_order_relaxed);
	uint64_t r = atomic_load_explicit(&s->r, memory_order_acquire);
	uint64_t space = s->cap - (w - r);
	if (n > space) n = space;
	for (uint64_t i = 0; i < n; i++) s->buf[(w + i) % s->cap] = src[i];
	return n;
}

void fd_commit(fd_stream *s, uint64_t n) {
	atomic_fetch_add_explicit(&s->w, n, memory_order_release);
}

uint64_t fd_read(fd_stream *s, int16_t *dst, uint64_t n) {
	uint64_t r = atomic_load_explicit(&s->r, memory_order_relaxed);
	uint64_t w = atomic_load_explicit(&s->w, memory_order_acquire);
	uint64_t avail = w - r;
	if (n > avail) n = avail;
	for (uint64_t i = 0; i < n; i++) dst[i] = s->buf[(r + i) % s->cap];
	atomic_store_explicit(&s->r, r + n, memory_order_release);
	return n;
}

uint64_t fd_queued(fd_stream *s) {
	uint64_t w = atomic_load_explicit(&s->w, memory_order_acquire);
	uint64_t r = atomic_load_explicit(&s->r, memory_order_acquire);
	uint64_t f = atomic_load_explicit(&s->flush_to, memory_order_acquire);
	if (!s->input && f > r) r = f;
	return w > r ? w - r : 0;
}

void fd_flush(fd_stream *s) {
	atomic_store_explicit(&s->flush_to, atomic_load_explicit(&s->w, memory_order_acquire), memory_order_release);
	atomic_store_explicit(&s->paused, 0, memory_order_release);
}

void fd_pause(fd_stream *s, int paused) {
	atomic_store_explicit(&s->paused, paused != 0, memory_order_release);
}

double fd_level(fd_stream *s, int64_t now) {
	double l = bits_to_double(atomic_load_explicit(&s->level_bits, memory_order_relaxed));
	int64_t at = atomic_load_explicit(&s->level_ns, memory_order_relaxed);
	if (l > 0 && now > at) l *= exp(-(double)(now - at) / s->level_tau_ns);
	return l;
}

const char *fd_error_text(PaError err) {
	if (err == paUnanticipatedHostError) {
		const PaHostErrorInfo *h = Pa_GetLastHostErrorInfo();
		if (h && h->errorText && h->errorText[0]) return h->errorText;
	}
	return Pa_GetErrorText(err);
}

void fd_get_stats(fd_stream *s, fd_stats *out) {
	out->last_cb_ns = atomic_load(&s->last_cb_ns);
	out->callbacks = atomic_load(&s->callbacks);
	out->frames = atomic_load(&s->frames);
	out->underruns = atomic_load(&s->underruns);
	out->dropped = atomic_load(&s->dropped);
	out->overflows = atomic_load(&s->overflows);
	out->dev_xruns = atomic_load(&s->dev_xruns);
	out->flush_cb_ns = atomic_load(&s->flush_cb_ns);
	out->w = atomic_load(&s->w);
	out->r = atomic_load(&s->r);
	out->stamp_w = atomic_load(&s->stamp_w);
	out->playing = atomic_load(&s->playing);
}

int fd_drive(fd_stream *s, const int16_t *in, int16_t *out, unsigned long frames, unsigned long flags, int64_t now) {
	return callback_at(s, in, out, frames, NULL, (PaStreamCallbackFlags)flags, now ? now : fd_now_ns());
}

uint64_t fd_tap_read(fd_stream *s, int16_t *dst, uint64_t n) {
	if (!s->tap) return 0;
	uint64_t r = atomic_load_explicit(&s->tap_r, memory_order_relaxed);
	uint64_t w = atomic_load_explicit(&s->tap_w, memory_order_acquire);
	uint64_t avail = w - r;
	if (n > avail) n = avail;
	for (uint64_t i = 0; i < n; i++) dst[i] = s->tap[(r + i) % s->tap_cap];
	atomic_store_explicit(&s->tap_r, r + n, memory_order_release);
	return n;
}

void fd_tap_reset(fd_stream *s) {
	if (!s->tap) return;
	atomic_store_explicit(&s->tap_r, atomic_load_explicit(&s->tap_w, memory_order_acquire), memory_order_release);
}

int fd_hist_read(fd_stream *s, int64_t *t, float *rms, int n) {
	uint64_t w = atomic_load_explicit(&s->hist_w, memory_order_acquire);
	if (n > FD_HIST) n = FD_HIST;
	if ((uint64_t)n > w) n = (int)w;
	for (int i = 0; i < n; i++) {
		uint64_t k = (w - 1 - i) % FD_HIST;
		t[i] = atomic_load_explicit(&s->hist_t[k], memory_order_relaxed);
		uint32_t fb = atomic_load_explicit(&s->hist_rms[k], memory_order_relaxed);
		memcpy(&rms[i], &fb, sizeof fb);
	}
	// Entries the callback overwrote meanwhile (and the one it may be
	// writing) are not valid: they are the oldest of those read.
	atomic_thread_fence(memory_order_acquire);
	uint64_t w2 = atomic_load_explicit(&s->hist_w, memory_order_acquire);
	uint64_t lost = w2 - w + 1;
	if (lost >= FD_HIST) return 0;
	if ((uint64_t)n > FD_HIST - lost) n = (int)(FD_HIST - lost);
	return n;
}

int64_t fd_dac_delay(fd_stream *s) { return atomic_load_explicit(&s->dac_delay_ns, memory_order_relaxed); }

uint64_t fd_written(fd_stream *s) { return atomic_load_explicit(&s->w, memory_order_relaxed); }

uint64_t fd_heard(fd_stream *s, int64_t now) {
	uint64_t w = atomic_load_explicit(&s->hist_w, memory_order_acquire);
	uint64_t n = w < FD_HIST ? w : FD_HIST;
	uint64_t pos = 0;
	uint64_t i = 0;
	for (; i < n; i++) {
		uint64_t k = (w - 1 - i) % FD_HIST;
		int64_t t = atomic_load_explicit(&s->hist_t[k], memory_order_relaxed);
		uint64_t r0 = atomic_load_explicit(&s->hist_r0[k], memory_order_relaxed);
		uint64_t played = atomic_load_explicit(&s->hist_n[k], memory_order_relaxed);
		pos = r0; // the oldest read so far: everything before it is heard
		if (t <= now) {
			// played at the DAC from t on, rate samples a second
			if (s->rate > 0 && now - t < (int64_t)(played * 1000000000 / (uint64_t)s->rate))
				played = (uint64_t)(now - t) * (uint64_t)s->rate / 1000000000;
			pos = r0 + played;
			break;
		}
	}
	// An entry the callback overwrote meanwhile is not valid: only the
	// latest FD_HIST - lost entries are.
	atomic_thread_fence(memory_order_acquire);
	uint64_t w2 = atomic_load_explicit(&s->hist_w, memory_order_acquire);
	uint64_t lost = w2 - w + 1;
	if (n > 0 && (lost >= FD_HIST || i >= FD_HIST - lost)) return atomic_load_explicit(&s->r, memory_order_acquire);
	return pos;
}

int fd_drive_dac(fd_stream *s, int16_t *out, unsigned long frames, int64_t now, int64_t dac_delay_ns) {
	PaStreamCallbackTimeInfo ti = {0};
	ti.currentTime = 1.0;
	ti.outputBufferDacTime = 1.0 + (double)dac_delay_ns / 1e9;
	return callback_at(s, NULL, out, frames, &ti, 0, now);
}
