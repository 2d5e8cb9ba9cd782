package livekit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fullduplex-go/fullduplex/internal/browsertest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientVersion is the livekit-client (LiveKit's JavaScript SDK, from npm)
// .ci/fetch-livekit-client.sh caches.
const clientVersion = "2.23.0"

// clientJS returns LiveKit's JavaScript SDK bundle ($LIVEKIT_CLIENT_JS, else
// .ci/fetch-livekit-client.sh's cache), failing in CI and skipping
// elsewhere when there is none.
func clientJS(t testing.TB) []byte {
	t.Helper()
	p := os.Getenv("LIVEKIT_CLIENT_JS")
	if p == "" {
		cache := os.Getenv("FULLDUPLEX_CACHE")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache", "fullduplex")
		}
		p = filepath.Join(cache, "livekit-client-"+clientVersion+".umd.js")
	}
	js, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no livekit-client bundle at %s (.ci/fetch-livekit-client.sh fetches it): %v", p, err)
		}
		t.Skipf("no livekit-client bundle at %s: run .ci/fetch-livekit-client.sh: %v", p, err)
	}
	return js
}

// browserPage is a LiveKit web client: livekit-client joins the room with
// the token /config gives, publishes the microphone, plays what it
// subscribes to (and meters it through Web Audio), and shows the captions
// it receives as text streams on lk.transcription, as LiveKit's web apps
// do. window.fullduplex is its state, read by the test.
const browserPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>fullduplex LiveKit caller</title></head>
<body><div id="captions"></div>
<script src="/livekit-client.umd.js"></script>
<script>
const s = window.fullduplex = {status: 'starting', errors: [], captions: [], micSID: '',
	agentTrackSID: '', agentIdentity: '', heardBy: '', maxRms: 0, loudReads: 0};
(async () => {
	const cfg = await (await fetch('/config')).json();
	const LK = window.LivekitClient;
	const room = new LK.Room();
	room.registerTextStreamHandler('lk.transcription', async (reader, from) => {
		const text = await reader.readAll();
		s.captions.push({text, from: from.identity, attrs: reader.info.attributes || {}});
		const p = document.createElement('p');
		p.textContent = from.identity + ': ' + text;
		document.getElementById('captions').appendChild(p);
	});
	room.on(LK.RoomEvent.TrackSubscribed, (track, pub, participant) => {
		if (track.kind !== 'audio') return;
		s.agentTrackSID = pub.trackSid;
		s.agentIdentity = participant.identity;
		document.body.appendChild(track.attach());
		const ctx = new AudioContext();
		const an = ctx.createAnalyser();
		an.fftSize = 1024;
		ctx.createMediaStreamSource(new MediaStream([track.mediaStreamTrack])).connect(an);
		const buf = new Float32Array(an.fftSize);
		setInterval(() => {
			an.getFloatTimeDomainData(buf);
			let sum = 0;
			for (const v of buf) sum += v * v;
			const rms = Math.sqrt(sum / buf.length);
			s.maxRms = Math.max(s.maxRms, rms);
			if (rms > 0.01) s.loudReads++;
		}, 20);
	});
	room.on(LK.RoomEvent.LocalTrackSubscribed, (pub) => { s.heardBy = 'agent'; });
	room.on(LK.RoomEvent.Disconnected, () => { s.status = 'disconnected'; });
	await room.connect(cfg.url, cfg.token);
	s.status = 'connected';
	const pub = await room.localParticipant.setMicrophoneEnabled(true);
	s.micSID = pub.trackSid;
	s.status = 'publishing';
	window.leave = () => room.disconnect();
})().catch(e => { s.errors.push(String((e && e.stack) || e)); s.status = 'error'; });
</script></body></html>`

// TestBrowserCaller: a real LiveKit web client — LiveKit's JavaScript SDK
// (livekit-client from npm) in headless Chromium, its microphone a WAV —
// joins a room with a token that dispatches the agent; the agent
// (examples/livekit-agent's, offline echo, in its own process) answers; the
// page plays the answer audio (metered by Web Audio in the page) and
// receives the captions of both sides as text streams, each naming the
// track it transcribes. When the page leaves, the agent's job ends.
func TestBrowserCaller(t *testing.T) {
	url := serverURL(t)
	js := clientJS(t)
	browserBin := browsertest.Chromium(t)
	bin := buildAgent(t)
	agent := agentName(t)
	proc := startAgentProcess(t, bin, "agent", url, agent, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	require.NoError(t, proc.waitLog(ctx, "Registered as worker"))

	room := roomName(t)
	tok, err := NewToken(TokenConfig{Room: room, Identity: "browser", Agents: []string{agent}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(browserPage))
	})
	mux.HandleFunc("/livekit-client.umd.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write(js)
	})
	mux.HandleFunc("/config", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"url": url, "token": tok})
	})
	// 127.0.0.1, not localhost: a secure context, so the page may use the
	// microphone.
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The microphone says hello, then is silent for 2 s (the echo's end
	// of turn), over and over: whenever the agent starts listening, it
	// hears a whole utterance soon.
	mic := filepath.Join(t.TempDir(), "mic.wav")
	f, err := os.Create(mic)
	require.NoError(t, err)
	require.NoError(t, pcm.WriteWAV(f, append(readWAV(t, "hello.wav"), silence(2*time.Second)...), callerRate, 1))
	require.NoError(t, f.Close())
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserBin),
		chromedp.NoSandbox,
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", mic),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		// The server's only ICE candidates are on loopback (see
		// .ci/start-livekit.sh): let the browser use it, with its real
		// addresses rather than mDNS names.
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	until := func(cond string, timeout time.Duration) {
		t.Helper()
		_, err := chromedp.Run(tab, chromedp.Poll[chromedp.Void]("(s => "+cond+")(window.fullduplex)",
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
		require.NoError(t, err, "waiting for %s; page state: %s\nagent:\n%s", cond, pageState(tab), proc.log)
	}
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(srv.URL+"/")))
	until(`s.status === 'publishing' || s.status === 'error'`, 30*time.Second)
	require.Equal(t, "publishing", pageVal[string](t, tab, "status"), "page state: %s", pageState(tab))
	until(`s.heardBy === 'agent'`, 30*time.Second)
	require.NoError(t, proc.waitLog(ctx, `joined room "`+room+`"`))

	// The answer plays in the page: at least 1 s of loud audio.
	until(`s.loudReads >= 50`, 40*time.Second)
	// Captions of both sides, on the tracks they transcribe.
	until(`s.captions.some(c => c.attrs['lk.segment_id'] === 'user-0') && s.captions.some(c => c.attrs['lk.segment_id'] === 'model-0')`, 20*time.Second)
	type caption struct {
		Text  string            `json:"text"`
		From  string            `json:"from"`
		Attrs map[string]string `json:"attrs"`
	}
	caps := pageVal[[]caption](t, tab, "captions")
	agentIdentity := pageVal[string](t, tab, "agentIdentity")
	var user, model caption
	for _, c := range caps {
		switch c.Attrs[AttrSegmentID] {
		case "user-0":
			user = c
		case "model-0":
			model = c
		}
	}
	assert.Contains(t, model.Text, "echo:")
	assert.Equal(t, pageVal[string](t, tab, "agentTrackSID"), model.Attrs[AttrTranscribedTrack], "the answer's caption names the agent's track")
	assert.Equal(t, "true", model.Attrs[AttrFinal])
	assert.Contains(t, user.Text, "ms of audio")
	assert.Equal(t, pageVal[string](t, tab, "micSID"), user.Attrs[AttrTranscribedTrack], "the caller's caption names the page's microphone track")
	assert.Equal(t, agentIdentity, model.From)
	t.Logf("the page heard the answer (loudest RMS %.3f); captions from %s: %q, %q",
		pageVal[float64](t, tab, "maxRms"), agentIdentity, user.Text, model.Text)

	// The page leaves: the job ends; then the agent drains and exits.
	_, err = chromedp.Run(tab, chromedp.Evaluate[chromedp.Void]("window.leave()"))
	require.NoError(t, err)
	require.NoError(t, proc.waitLog(ctx, `left room "`+room+`"`))
	require.NotContains(t, proc.log.String(), `job in room "`+room+`" failed`, "the job ended without error")
	require.NoError(t, proc.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-proc.done:
		require.NoError(t, proc.err, "the agent exits cleanly:\n%s", proc.log)
	case <-ctx.Done():
		t.Fatalf("the agent did not exit after SIGTERM:\n%s", proc.log)
	}
}

// pageVal reads a field of the page's window.fullduplex.
func pageVal[T any](t testing.TB, tab context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T]("window.fullduplex."+expr))
	require.NoError(t, err, expr)
	return v
}

func pageState(tab context.Context) string {
	s, err := chromedp.Run(tab, chromedp.Evaluate[string](`JSON.stringify(window.fullduplex)`))
	if err != nil {
		return err.Error()
	}
	return s
}
