package realtime

import (
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// reporter holds the PlaybackReporter of the run (see UsePlayback).
type reporter struct{ p fullduplex.PlaybackReporter }

// UsePlayback makes the stream keep, of an answer that is cut off, only
// what the listener heard (fullduplex.PlaybackUser): its audio truncated to
// p.Played(turn), its text to the same share of what was received (all of
// it when the answer had no audio). nil means everything Receive returned
// counts as heard. DuplexSession.RunDuplex calls it with its receiver's
// reporter.
func (s *Stream) UsePlayback(p fullduplex.PlaybackReporter) {
	if p == nil {
		s.playback.Store(nil)
		return
	}
	s.playback.Store(&reporter{p})
}

// keepHeardLocked truncates the model entries at the end of the history
// (the answer of turn, just cut off) to what the listener heard. s.mu is
// held.
func (s *Stream) keepHeardLocked(turn int) {
	r := s.playback.Load()
	if r == nil {
		return
	}
	s.hist.keepHeard(r.p.Played(turn))
}

// keepHeard truncates the trailing model entries: audio to the first
// played of it, text to the same share of its length. Without audio, it
// changes nothing.
func (h *history) keepHeard(played time.Duration) {
	first := len(h.entries)
	for first > 0 && h.entries[first-1].role == fullduplex.RoleModel {
		first--
	}
	tail := h.entries[first:]
	var total time.Duration
	textLen := 0
	for _, e := range tail {
		switch e.sym.Modality {
		case fullduplex.ModalityAudio:
			total += e.sym.Duration()
		case fullduplex.ModalityText:
			textLen += len(e.sym.Data)
		}
	}
	if total <= 0 || played >= total {
		return
	}
	played = max(played, 0)
	audioLeft := played
	textLeft := int(int64(textLen) * int64(played) / int64(total))
	kept := h.entries[:first]
	for _, e := range tail {
		switch e.sym.Modality {
		case fullduplex.ModalityAudio:
			d := e.sym.Duration()
			if audioLeft < d {
				frame := 2 * max(e.sym.Channels(), 1)
				n := int(int64(len(e.sym.Data)) * int64(audioLeft) / int64(d))
				e.sym.Data = e.sym.Data[:n-n%frame]
			}
			audioLeft = max(audioLeft-d, 0)
		case fullduplex.ModalityText:
			if textLeft < len(e.sym.Data) {
				n := textLeft
				for n > 0 && e.sym.Data[n]&0xC0 == 0x80 {
					n--
				}
				e.sym.Data = e.sym.Data[:n]
			}
			textLeft = max(textLeft-len(e.sym.Data), 0)
		}
		if len(e.sym.Data) > 0 {
			kept = append(kept, e)
		}
	}
	clear(h.entries[len(kept):])
	h.entries = kept
}
