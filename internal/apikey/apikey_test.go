package apikey

import "testing"

func TestGeminiPrefersGoogleAPIKey(t *testing.T) {
	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("GEMINI_API_KEY", "")
	if got := Gemini(); got != "" {
		t.Fatalf("Gemini() = %q with neither variable set", got)
	}
	t.Setenv("GEMINI_API_KEY", "gemini-key")
	if got := Gemini(); got != "gemini-key" {
		t.Fatalf("Gemini() = %q, want $GEMINI_API_KEY", got)
	}
	t.Setenv("GOOGLE_API_KEY", "google-key")
	if got := Gemini(); got != "google-key" {
		t.Fatalf("Gemini() = %q, want $GOOGLE_API_KEY first", got)
	}
}
