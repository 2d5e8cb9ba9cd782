package gemini

import (
	"encoding/json"
	"testing"

	"github.com/fullduplex-go/fullduplex"
	"google.golang.org/genai"
)

// FuzzServerMessage feeds arbitrary server frames through the SDK's message
// type and the mapping: it must never panic, and every item must be
// well-formed.
func FuzzServerMessage(f *testing.F) {
	for _, seed := range []string{
		`{"setupComplete":{}}`,
		`{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"data":"AAAA","mimeType":"audio/pcm;rate=24000"}},{"text":"hi"}]},"turnComplete":true}}`,
		`{"serverContent":{"inputTranscription":{"text":"a","finished":true},"outputTranscription":{"text":"b"},"interrupted":true,"generationComplete":true}}`,
		`{"toolCall":{"functionCalls":[{"id":"1","name":"f","args":{"x":1}},null]}}`,
		`{"toolCallCancellation":{"ids":["1","2"]}}`,
		`{"usageMetadata":{"promptTokenCount":1,"responseTokensDetails":[{"modality":"AUDIO","tokenCount":3},null]}}`,
		`{"goAway":{"timeLeft":"50s"}}`,
		`{"sessionResumptionUpdate":{"newHandle":"h","resumable":true,"lastConsumedClientMessageIndex":"7"}}`,
		`{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"data":"AA==","mimeType":"audio/pcm;rate=99999999999999999999"}},{"inlineData":{"data":"AA==","mimeType":"image/png"}},{"thought":true,"text":"t"},null]}}}`,
		`{"voiceActivity":{"voiceActivityType":"ACTIVITY_START"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var msg genai.LiveServerMessage
		if json.Unmarshal(data, &msg) != nil {
			return
		}
		m := mapper{outRate: 24000}
		for _, it := range m.items(nil, &msg) {
			switch it := it.(type) {
			case fullduplex.Symbol:
				if len(it.Data) == 0 {
					t.Fatalf("empty symbol %v", it)
				}
				if it.Modality == fullduplex.ModalityAudio && it.SampleRate() <= 0 {
					t.Fatalf("audio without a rate: %v", it)
				}
				if r := it.Role(); r != fullduplex.RoleUser && r != fullduplex.RoleModel {
					t.Fatalf("symbol without a role: %v", it)
				}
			case fullduplex.StreamEvent:
				if it.Type == fullduplex.EventToolCall {
					if _, ok := it.Data.(fullduplex.ToolCall); !ok {
						t.Fatalf("tool call data %T", it.Data)
					}
				}
			default:
				t.Fatalf("unknown item %T", it)
			}
		}
	})
}

func TestMimeRate(t *testing.T) {
	for mime, want := range map[string]int{
		"audio/pcm;rate=24000":        24000,
		"audio/pcm; rate=16000":       16000,
		"audio/pcm":                   0,
		"audio/pcm;rate=x":            0,
		"audio/pcm;rate=999999999999": 0,
		"audio/pcm;RATE=8000;x=y":     8000,
	} {
		if got := mimeRate(mime); got != want {
			t.Errorf("mimeRate(%q) = %d, want %d", mime, got, want)
		}
	}
}
