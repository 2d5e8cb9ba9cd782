package geminiturn_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn"
)

// The usage of the last chunk (the service repeats growing counts on each
// chunk) comes once, after the answer, with every count and per-modality
// detail the service gives.
func TestUsage(t *testing.T) {
	_, m := setup(t, geminiturn.Config{})
	out, usages, err := runUsage(ctxT(t), m, []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("hi"))})
	require.NoError(t, err)
	assert.Equal(t, []string{"You ", "said: ", "hi"}, texts(out))
	assert.Equal(t, []fd.Usage{{InputTokens: 1, OutputTokens: 3, TotalTokens: 4}}, usages)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, `data: {"candidates":[{"content":{"role":"model","parts":[{"text":"a"}]}}],"usageMetadata":{"promptTokenCount":9,"totalTokenCount":9}}`+"\r\n\r\n"+
			`data: {"candidates":[{"content":{"role":"model","parts":[{"text":"b"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":2,"totalTokenCount":20,`+
			`"cachedContentTokenCount":4,"thoughtsTokenCount":5,"toolUsePromptTokenCount":3,`+
			`"promptTokensDetails":[{"modality":"TEXT","tokenCount":6},{"modality":"AUDIO","tokenCount":3}],`+
			`"candidatesTokensDetails":[{"modality":"TEXT","tokenCount":2}],"cacheTokensDetails":[{"modality":"TEXT","tokenCount":4}],`+
			`"toolUsePromptTokensDetails":[{"modality":"TEXT","tokenCount":3}]}}`+"\r\n\r\n")
	}))
	defer srv.Close()
	m, err = geminiturn.New(geminiturn.Config{BaseURL: srv.URL, APIKey: testKey})
	require.NoError(t, err)
	out, usages, err = runUsage(ctxT(t), m, []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, texts(out))
	assert.Equal(t, []fd.Usage{{
		InputTokens: 9, OutputTokens: 2, TotalTokens: 20, CachedTokens: 4, ThoughtsTokens: 5, ToolUseTokens: 3,
		InputByModality:   map[fd.Modality]int{fd.ModalityText: 6, fd.ModalityAudio: 3},
		OutputByModality:  map[fd.Modality]int{fd.ModalityText: 2},
		CachedByModality:  map[fd.Modality]int{fd.ModalityText: 4},
		ToolUseByModality: map[fd.Modality]int{fd.ModalityText: 3},
	}}, usages)
}
