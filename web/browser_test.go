package web_test

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/browsertest"
	"github.com/fullduplex-go/fullduplex/web"
)

// artifact writes data to the test artifacts directory ($ARTIFACTS, else
// the system's temporary directory) and returns its path.
func artifact(t *testing.T, name string, data []byte) string {
	t.Helper()
	dir := os.Getenv("ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "fullduplex-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// browser starts headless chromium with a fake camera and the WAV as its
// microphone, and returns a tab's context. With allow, it grants the
// page's requests for the microphone and camera (the fake permission
// prompt); without, it refuses them, as a user who says no.
func browser(t *testing.T, ctx context.Context, wav string, allow bool) (context.Context, context.CancelFunc) {
	abs, err := filepath.Abs(wav)
	require.NoError(t, err)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browsertest.Chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", abs+"%noloop"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
	)
	if allow {
		opts = append(opts, chromedp.Flag("use-fake-ui-for-media-stream", true))
	} else {
		opts = append(opts, chromedp.Flag("deny-permission-prompts", true))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	return tab, func() { cancelTab(); cancelAlloc() }
}

// state reads a field of the page's window.fullduplex.
func state[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T]("window.fullduplex."+expr))
	require.NoError(t, err, expr)
	return v
}

// until waits for a JavaScript condition on window.fullduplex (s).
func until(t *testing.T, tab context.Context, cond string, timeout time.Duration) {
	t.Helper()
	_, err := chromedp.Run(tab, chromedp.Poll[chromedp.Void]("(s => "+cond+")(window.fullduplex)",
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	require.NoError(t, err, "waiting for %s; page state: %s", cond, pageState(tab))
}

func pageState(tab context.Context) string {
	s, err := chromedp.Run(tab, chromedp.Evaluate[string](`JSON.stringify(window.fullduplex)`))
	if err != nil {
		return err.Error()
	}
	return s
}

func isVideo(m geminitest.ClientMessage) bool {
	return m.RealtimeInput != nil && m.RealtimeInput.Video != nil
}

// The whole path in a real browser: the page connects, the fake
// microphone's speech reaches the echo model, its answer plays in the page
// (the page's own output meter hears it), the second utterance interrupts
// it and the page goes silent at once, the next answer reports its
// latency, and while the camera (or a screen) is shared its frames reach
// the model at the configured rate, and none after it is off. Closing the
// tab ends the conversation.
func TestBrowserConversation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	model := geminitest.NewServer(geminitest.Options{Echo: true})
	defer model.Close()

	const fps = 4
	conns := make(chan *web.Conn, 1)
	served := make(chan error, 1)
	h, err := web.NewHandler(web.Config{
		VideoFPS: fps,
		Serve: func(ctx context.Context, c *web.Conn) error {
			conns <- c
			stream := gemini.NewStream(gemini.Config{BaseURL: model.URL(), APIKey: model.APIKey()})
			defer stream.Close()
			err := c.Run(ctx, fullduplex.NewDuplexSession(stream))
			served <- err
			return err
		},
	})
	require.NoError(t, err)
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	tab, closeBrowser := browser(t, ctx, "testdata/bargein.wav", true)
	defer closeBrowser()
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(srv.URL+"/"), chromedp.Click("#start")))
	until(t, tab, `s.status === 'ready'`, 20*time.Second)
	conn := <-conns
	mc, err := model.WaitConn(ctx, 0)
	require.NoError(t, err)

	// The first utterance reaches the model and comes back.
	until(t, tab, `s.framesSent > 10`, 10*time.Second)
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	_, err = mc.WaitFor(wctx, func(m geminitest.ClientMessage) bool { _, _, ok := m.Audio(); return ok })
	wcancel()
	require.NoError(t, err, "audio at the model; the server has %+v", conn.Stats())
	until(t, tab, `s.transcript.some(l => l.role === 'user')`, 20*time.Second)
	until(t, tab, `s.maxRms > 0.01`, 20*time.Second)

	// The second utterance cuts it: the page drops its audio at once.
	until(t, tab, `s.clears >= 1 && s.interrupts >= 1`, 20*time.Second)
	before := state[float64](t, tab, "maxRmsBeforeClear")
	t.Logf("the answer played at output RMS %.3f before the cut; AudioContext at %d Hz", before, state[int](t, tab, "contextRate"))
	require.Greater(t, before, 0.01, "the answer was heard before it was cut")
	until(t, tab, `!s.afterClear || s.afterClear.samples >= 10`, 10*time.Second)
	after := state[map[string]float64](t, tab, "afterClear")
	require.NotNil(t, after, "the next answer came before the page was measured silent")
	assert.Less(t, after["maxRms"], 0.002, "sound after the clear: %v", after)
	played := conn.Played(0)
	t.Logf("turn 0: %v played before the cut; after it, %.0f meter readings, loudest RMS %.5f", played, after["samples"], after["maxRms"])
	assert.Positive(t, played, "the page reported what it played of the cut answer")
	assert.Less(t, played, 2900*time.Millisecond, "the cut answer did not play to its end")

	// The answer to the second utterance ends normally, with its latency.
	until(t, tab, `s.turnsEnded >= 1 && s.latencies.some(l => l > 0)`, 20*time.Second)
	_, err = chromedp.Run(tab, chromedp.Poll[chromedp.Void](`document.querySelector('.marker') && document.querySelector('.latency')`))
	require.NoError(t, err, "the transcript shows the [interrupted] marker and the turn's latency")
	t.Logf("turn latencies on the page: %v ms", state[[]int](t, tab, "latencies"))

	// The camera: frames reach the model at the configured rate while it is on.
	require.Zero(t, len(slices.DeleteFunc(mc.Messages(), func(m geminitest.ClientMessage) bool { return !isVideo(m) })), "no video before the camera is on")
	require.NoError(t, chromedp.Do(tab, chromedp.Click("#camera")))
	frames, err := mc.WaitCount(ctx, isVideo, 9)
	require.NoError(t, err)
	var gaps []time.Duration
	for i := 1; i < len(frames); i++ {
		gaps = append(gaps, frames[i].Received.Sub(frames[i-1].Received))
	}
	slices.Sort(gaps)
	median := gaps[len(gaps)/2]
	t.Logf("video: median %v between frames at the model (configured %d fps); gaps %v", median, fps, gaps)
	assert.InDelta(t, float64(time.Second/fps), float64(median), float64(time.Second/fps)/2, "frames arrive at the configured rate")
	img, err := jpeg.Decode(bytes.NewReader(frames[0].RealtimeInput.Video.Data))
	require.NoError(t, err, "a video frame is a JPEG image")
	assert.Equal(t, "image/jpeg", frames[0].RealtimeInput.Video.MIMEType)
	assert.Positive(t, img.Bounds().Dx())

	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(90))
	require.NoError(t, err)
	t.Logf("screenshot: %s", artifact(t, "web-chat.jpg", shot))

	// Off: nothing more is sent, and everything sent arrived.
	require.NoError(t, chromedp.Do(tab, chromedp.Click("#camera")))
	until(t, tab, `!s.videoOn`, 10*time.Second)
	sent := state[int](t, tab, "videoSent")
	_, err = mc.WaitCount(ctx, isVideo, sent)
	require.NoError(t, err)
	assert.Equal(t, int64(sent), conn.Stats().VideoIn, "every frame the page sent reached the server, and only those")

	// A shared screen (the fake picker takes the first screen) goes the same way.
	require.NoError(t, chromedp.Do(tab, chromedp.Click("#screen")))
	_, err = mc.WaitCount(ctx, isVideo, sent+3)
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(tab, chromedp.Click("#screen")))
	until(t, tab, `!s.videoOn`, 10*time.Second)
	sent = state[int](t, tab, "videoSent")
	_, err = mc.WaitCount(ctx, isVideo, sent)
	require.NoError(t, err)
	assert.Equal(t, int64(sent), conn.Stats().VideoIn)

	// Closing the tab ends the conversation.
	closeBrowser()
	select {
	case err := <-served:
		assert.True(t, errors.Is(err, context.Canceled), "Run returns ctx's error when the tab closes: %v", err)
	case <-ctx.Done():
		t.Fatal("the conversation did not end when the browser closed")
	}
}

// A refused microphone gets a plain message on the page, and no
// connection is opened.
func TestBrowserMicrophoneRefused(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h, err := web.NewHandler(web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		t.Error("a page without a microphone connected")
		return nil
	}})
	require.NoError(t, err)
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	tab, closeBrowser := browser(t, ctx, "testdata/bargein.wav", false)
	defer closeBrowser()
	require.NoError(t, chromedp.Do(tab, chromedp.Navigate(srv.URL+"/"), chromedp.Click("#start")))
	until(t, tab, `s.status === 'mic-refused'`, 20*time.Second)
	msg, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
	require.NoError(t, err)
	assert.Contains(t, msg, "The microphone was refused")
	assert.Zero(t, h.Connections())
}
