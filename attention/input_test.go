package attention

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What is kept of a long transcript starts at a word: a cut inside "they"
// must not leave "hey" to meet the next fragment as the phrase.
func TestHeardPhraseKeepsWholeWords(t *testing.T) {
	phrase := normalize("hey kiosk")
	text := "we walked to the old shops and they kiosk, that is the one"
	require.Greater(t, len(text), 4*len(phrase)+16, "long enough to be cut")
	require.Equal(t, "hey kiosk", text[len(text)-(2*len(phrase)+8):][:9], "the cut lands inside a word")
	var st inputState
	assert.False(t, st.heardPhrase(text, phrase))
	assert.False(t, st.heardPhrase(" and more", phrase))
	assert.False(t, strings.HasPrefix(st.heard, "hey"), "kept %q", st.heard)
	assert.False(t, st.heardPhrase(" hey", phrase))
	assert.True(t, st.heardPhrase(" kiosk", phrase), "the phrase across fragments still counts")
}
