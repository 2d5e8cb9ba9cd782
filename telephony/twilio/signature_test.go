package twilio_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex/telephony/twilio"
	"github.com/fullduplex-go/fullduplex/telephony/twilio/twiliotest"
)

// The example of Twilio's webhook security documentation, and the one
// twilio-node's test suite signs.
func TestSignatureTwilioVectors(t *testing.T) {
	const u = "https://mycompany.com/myapp.php?foo=1&bar=2"
	params := func(caller string) url.Values {
		return url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {caller}, "Digits": {"1234"}, "From": {caller}, "To": {"+18005551212"}}
	}
	assert.Equal(t, "GvWf1cFY/Q7PnoempGyD5oXAezc=", twilio.Signature("12345", u, params("+14158675310")))
	assert.Equal(t, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", twilio.Signature("12345", u, params("+14158675309")))
}

func TestValidateRequest(t *testing.T) {
	const token = "s3cret-auth-token"
	form := url.Values{"From": {"+15550001111"}, "To": {"+15550002222"}, "CallSid": {"CA1"}}
	post := func(u, sig string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sig != "" {
			r.Header.Set(twilio.SignatureHeader, sig)
		}
		return r
	}
	const u = "https://example.com/voice?x=1"
	good := twilio.Signature(token, u, form)

	require.NoError(t, twilio.ValidateRequest(post(u, good), token, u))
	r := post(u, good)
	require.NoError(t, twilio.ValidateRequest(r, token, u))
	assert.Equal(t, "+15550001111", r.PostFormValue("From"), "the form stays readable")
	require.NoError(t, twilio.ValidateRequest(post(u, twilio.Signature(token, "https://example.com:443/voice?x=1", form)), token, u),
		"signed with the default port")

	for name, r := range map[string]*http.Request{
		"no header":   post(u, ""),
		"wrong token": post(u, twilio.Signature("other", u, form)),
		"other URL":   post(u, twilio.Signature(token, "https://example.com/voice?x=2", form)),
		"garbage":     post(u, "not base64 at all"),
	} {
		t.Run(name, func(t *testing.T) {
			err := twilio.ValidateRequest(r, token, u)
			require.ErrorIs(t, err, twilio.ErrSignature)
			assert.NotContains(t, err.Error(), token)
		})
	}
}

func TestHandlerChecksTheSignature(t *testing.T) {
	ctx := testCtx(t)
	const token = "s3cret-auth-token"
	h := &twilio.Handler{AuthToken: token, SignedURL: func(r *http.Request) string { return "ws://" + r.Host + r.URL.RequestURI() }}
	srv := newServer(t, h, func(context.Context, *twilio.Call) error { return nil })

	client, err := twiliotest.Dial(ctx, srv.wsURL(), twiliotest.Options{AuthToken: token})
	require.NoError(t, err, "a signed handshake is served")
	srv.next(ctx, t)
	require.NoError(t, client.WaitEnded(ctx))
	client.Close()

	for name, opts := range map[string]twiliotest.Options{
		"unsigned":    {},
		"wrong token": {AuthToken: "guess"},
		"other URL":   {AuthToken: token, SignedURL: "ws://evil.example/stream"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := twiliotest.Dial(ctx, srv.wsURL(), opts)
			require.ErrorContains(t, err, "HTTP 403")
		})
	}
	srv.log.waitFor(ctx, t, "X-Twilio-Signature")
	assert.NotContains(t, srv.log.String(), token, "the token is never logged")
}

func TestTwiMLHandler(t *testing.T) {
	const token = "s3cret-auth-token"
	h := &twilio.TwiMLHandler{
		TwiML:     twilio.StreamTwiML{URL: "/twilio/stream", Say: "Connecting you.", Parameters: map[string]string{"lang": "en"}},
		AuthToken: token,
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	form := url.Values{"From": {"+15550001111"}, "To": {"+15550002222"}, "CallSid": {"CA1"}}
	call := func(sig string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "https://phone.example.com/twilio/voice", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set(twilio.SignatureHeader, sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := call(twilio.Signature(token, "https://phone.example.com/twilio/voice", form))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "text/xml; charset=utf-8", w.Header().Get("Content-Type"))
	body, _ := io.ReadAll(w.Body)
	assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<Response><Say>Connecting you.</Say><Connect><Stream url="wss://phone.example.com/twilio/stream">`+
		`<Parameter name="From" value="+15550001111"></Parameter>`+
		`<Parameter name="To" value="+15550002222"></Parameter>`+
		`<Parameter name="lang" value="en"></Parameter></Stream></Connect></Response>`, string(body))
	assert.Equal(t, map[string]string{"lang": "en"}, h.TwiML.Parameters, "the handler's own TwiML is not changed")

	w = call("forged")
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.NotContains(t, w.Body.String(), token)
}
