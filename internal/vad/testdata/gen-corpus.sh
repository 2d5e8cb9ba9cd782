#!/bin/sh
# gen-corpus.sh DIR: writes the VAD benchmark corpus into DIR (default
# /tmp/vadcorpus): 20 spoken utterances (utt01.wav .. utt20.wav) and two
# noises (white.wav, brown.wav, 120 s each), all 16 kHz mono 16-bit PCM,
# made with espeak-ng and sox only. The mixing (noise at 20/10/0 dB SNR) and
# the labels are computed by `go run ./internal/vad/cmd/vadbench`, which
# reads DIR; see BENCHMARKS.md ("Voice activity detection").
#
# Needs: espeak-ng (1.51 used), sox (14.4.2 used): apt-get install espeak-ng sox
# Deterministic: espeak-ng is deterministic; the noises use fixed seeds (-R).
set -eu
dir=${1:-/tmp/vadcorpus}
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# voice|words-per-minute|text. Voices and rates vary so that pitch, timbre
# and pace vary; the texts mix short commands, questions and long sentences.
i=0
while IFS='|' read -r voice speed text; do
	[ -z "$voice" ] && continue
	i=$((i + 1))
	n=$(printf '%02d' "$i")
	espeak-ng -v "$voice" -s "$speed" -w "$tmp/raw.wav" "$text"
	sox -D "$tmp/raw.wav" -r 16000 -c 1 -b 16 -e signed-integer "$dir/utt$n.wav"
done <<'TEXTS'
en-us|160|Hello, can you tell me the weather in Paris today?
en-gb|150|Wait, stop, stop.
en-us+f3|170|Could you read the last paragraph again, a little slower please?
en-gb+m3|140|No, I meant the other one, the blue folder on the left.
en-us+f2|180|Set a timer for twelve minutes and remind me to check the oven.
en-gb-scotland|155|That is not what I asked for at all.
en-us+m5|165|What time does the next train to Boston leave?
en-gb+f4|150|Actually, never mind. Let me think about it for a second.
en-029|160|Play some quiet music while I finish this email.
en-us+m1|130|Yes.
en-gb-x-rp|165|How many kilometres is it from here to the coast, roughly?
en-us+f1|175|Please translate good morning, how are you, into Spanish.
en-gb+m7|150|Hold on, somebody is at the door.
en-us+f4|145|I would like to book a table for four people on Friday evening.
en-gb-x-gbclan|160|Sorry, could you repeat that?
en-us+m3|185|Turn the lights in the kitchen down to thirty percent.
en-gb+f2|155|Tell me a short story about a fox who learns to swim.
en-us+m7|150|Okay, thanks. That is all for now.
en-gb+f1|170|Which of these two phones has the better camera and the longer battery life?
en-us+m2|160|Stop talking, I have a question.
TEXTS

# Noise: 120 s each, RMS normalised later by the benchmark. -R fixes sox's
# random seed so the files are reproducible.
sox -R -n -r 16000 -c 1 -b 16 -e signed-integer "$dir/white.wav" synth 120 whitenoise vol 0.25
sox -R -n -r 16000 -c 1 -b 16 -e signed-integer "$dir/brown.wav" synth 120 brownnoise vol 0.5
echo "wrote $i utterances and 2 noises to $dir"
