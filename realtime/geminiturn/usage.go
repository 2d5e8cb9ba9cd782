package geminiturn

import (
	"strings"

	"github.com/fullduplex-go/fullduplex"
	"google.golang.org/genai"
)

// usage converts the usage metadata of a response (the last chunk's holds
// the whole call's counts).
func usage(u *genai.GenerateContentResponseUsageMetadata) fullduplex.Usage {
	return fullduplex.Usage{
		InputTokens:       int(u.PromptTokenCount),
		OutputTokens:      int(u.CandidatesTokenCount),
		TotalTokens:       int(u.TotalTokenCount),
		CachedTokens:      int(u.CachedContentTokenCount),
		ThoughtsTokens:    int(u.ThoughtsTokenCount),
		ToolUseTokens:     int(u.ToolUsePromptTokenCount),
		InputByModality:   byModality(u.PromptTokensDetails),
		OutputByModality:  byModality(u.CandidatesTokensDetails),
		CachedByModality:  byModality(u.CacheTokensDetails),
		ToolUseByModality: byModality(u.ToolUsePromptTokensDetails),
	}
}

// byModality maps Gemini's per-modality counts ("AUDIO" → "audio"), or
// returns nil when there are none.
func byModality(counts []*genai.ModalityTokenCount) map[fullduplex.Modality]int {
	var out map[fullduplex.Modality]int
	for _, c := range counts {
		if c == nil {
			continue
		}
		if out == nil {
			out = make(map[fullduplex.Modality]int, len(counts))
		}
		out[fullduplex.Modality(strings.ToLower(string(c.Modality)))] += int(c.TokenCount)
	}
	return out
}
