// Package vadeval scores voice activity detectors on labelled speech in
// noise: it builds evaluation streams from clean utterances (labels from
// the clean signal's energy, noise mixed at a chosen SNR), runs a
// detector's per-frame verdicts over them and reports F1 per frame, onset
// latency, and what the client-side barge-in rule (audio/bargein's
// defaults) would have done.
//
// It is shared by the vad package's tests (a small committed corpus) and by
// cmd/vadbench (the 20-utterance benchmark corpus made by
// testdata/gen-corpus.sh). It is deterministic: the same inputs give the
// same scores.
package vadeval
