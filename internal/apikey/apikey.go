// Package apikey looks up the API keys of the services the project talks
// to, from the environment, in one place.
package apikey

import "os"

// Gemini returns the Gemini API key from $GOOGLE_API_KEY, else
// $GEMINI_API_KEY, else "".
func Gemini() string {
	if k := os.Getenv("GOOGLE_API_KEY"); k != "" {
		return k
	}
	return os.Getenv("GEMINI_API_KEY")
}

// OpenAI returns the OpenAI API key from $OPENAI_API_KEY, or "".
func OpenAI() string { return os.Getenv("OPENAI_API_KEY") }
