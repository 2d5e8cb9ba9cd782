package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/offline"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/telephony/twilio"
)

// calls bridges each phone call to its own Live session.
type calls struct {
	gcfg gemini.Config
	log  io.Writer

	ctx    context.Context // the base of every request's: cancelled by endAll, it ends every call
	cancel context.CancelFunc
	wg     sync.WaitGroup // calls in progress

	sessions sync.Map // *twilio.Call → *fullduplex.DuplexSession, for keys pressed
}

// newCalls returns the calls of one server and a function that stops the
// offline model, if one runs.
func newCalls(o options, w io.Writer) (*calls, func()) {
	c := &calls{gcfg: gemini.Config{Model: o.model, Voice: o.voice, SystemInstruction: o.system}, log: w}
	stop := offline.Use(&c.gcfg, o.offline, w)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, func() { c.cancel(); stop() }
}

// routes serves the voice webhook and the media stream.
func routes(c *calls, authToken string, w io.Writer) http.Handler {
	errs := log.New(w, "", log.LstdFlags)
	mux := http.NewServeMux()
	mux.Handle("POST /twilio/voice", &twilio.TwiMLHandler{
		TwiML:     twilio.StreamTwiML{URL: "/twilio/stream"},
		AuthToken: authToken,
		ErrorLog:  errs,
	})
	stream := &twilio.Handler{
		Serve:     c.serve,
		Config:    twilio.Config{OnDTMF: c.key},
		AuthToken: authToken,
		ErrorLog:  errs,
	}
	// http.Server.Shutdown does not wait for WebSockets: count them.
	mux.HandleFunc("GET /twilio/stream", func(w http.ResponseWriter, r *http.Request) {
		c.wg.Add(1)
		defer c.wg.Done()
		stream.ServeHTTP(w, r)
	})
	return mux
}

// serve is one call: a Live session whose microphone is the caller and
// whose speaker is the phone line.
func (c *calls) serve(ctx context.Context, call *twilio.Call) error {
	fmt.Fprintf(c.log, "call %s from %q: connected\n", call.CallSid(), call.From())
	defer fmt.Fprintf(c.log, "call %s: ended\n", call.CallSid())
	stream := gemini.NewStream(c.gcfg)
	defer stream.Close()
	session := fullduplex.NewDuplexSession(stream)
	c.sessions.Store(call, session)
	defer c.sessions.Delete(call)
	return session.RunDuplex(ctx, call, call)
}

// key acts on a key the caller pressed: * stops the answer.
func (c *calls) key(call *twilio.Call, digit string) {
	fmt.Fprintf(c.log, "call %s: pressed %s\n", call.CallSid(), digit)
	if s, ok := c.sessions.Load(call); ok && digit == "*" {
		s.(*fullduplex.DuplexSession).Interrupt()
	}
}

// endAll ends every call in progress.
func (c *calls) endAll() { c.cancel() }

// wait waits for the calls in progress to end.
func (c *calls) wait() { c.wg.Wait() }
