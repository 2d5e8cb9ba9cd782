//go:build webrtcaec

// A thin C wrapper of WebRTC's AudioProcessing (Debian's
// libwebrtc-audio-processing 0.3): echo cancellation only, for the side by
// side measurement against speexdsp (compare_webrtc_test.go).
#include <string.h>
#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>
#include "webrtc_apm.h"

struct apm {
	webrtc::AudioProcessing *p;
	int rate;
};

extern "C" apm *apm_new(int rate, int suppression) {
	webrtc::Config cfg;
	cfg.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(true));
	cfg.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(true));
	webrtc::AudioProcessing *p = webrtc::AudioProcessing::Create(cfg);
	if (!p) return NULL;
	p->echo_cancellation()->enable_drift_compensation(false);
	p->echo_cancellation()->set_suppression_level((webrtc::EchoCancellation::SuppressionLevel)suppression);
	p->echo_cancellation()->Enable(true);
	apm *a = new apm;
	a->p = p;
	a->rate = rate;
	return a;
}

static void fill(webrtc::AudioFrame *f, int rate, const short *x) {
	f->sample_rate_hz_ = rate;
	f->num_channels_ = 1;
	f->samples_per_channel_ = rate / 100;
	memcpy(f->data_, x, sizeof(short) * (rate / 100));
}

extern "C" int apm_process(apm *a, const short *far, const short *near, short *out, int delay_ms) {
	webrtc::AudioFrame r, n;
	fill(&r, a->rate, far);
	int err = a->p->ProcessReverseStream(&r);
	if (err) return err;
	fill(&n, a->rate, near);
	a->p->set_stream_delay_ms(delay_ms);
	err = a->p->ProcessStream(&n);
	memcpy(out, n.data_, sizeof(short) * (a->rate / 100));
	return err;
}

extern "C" void apm_free(apm *a) {
	delete a->p;
	delete a;
}
