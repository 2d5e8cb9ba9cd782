package realtime

import (
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// An entry is one symbol of the history with the role that said it and the
// time its content was last added.
type entry struct {
	role  string
	sym   fullduplex.Symbol
	at    time.Time
	owned bool // sym.Data is a buffer of the history's own, safe to append to
}

// A history is the conversation so far, oldest first. Consecutive audio
// chunks of one role and format merge into one entry, and so do the text
// fragments of a model answer, so ten minutes of 20 ms chunks stay a handful
// of entries. Entries' times never decrease, since only the last entry
// grows. A history is guarded by its Stream's mutex.
type history struct {
	entries []entry
}

// add appends s, said by role at time at.
func (h *history) add(role string, s fullduplex.Symbol, at time.Time) {
	if n := len(h.entries); n > 0 {
		last := &h.entries[n-1]
		if last.role == role && mergeable(role, last.sym, s) {
			if !last.owned {
				last.sym.Data = append(make([]byte, 0, 2*(len(last.sym.Data)+len(s.Data))), last.sym.Data...)
				last.owned = true
			}
			last.sym.Data = append(last.sym.Data, s.Data...)
			last.at = at
			return
		}
	}
	h.entries = append(h.entries, entry{role: role, sym: s, at: at})
}

// mergeable reports whether b continues a: audio of the same format, or a
// text fragment of a model answer.
func mergeable(role string, a, b fullduplex.Symbol) bool {
	if a.Modality != b.Modality || a.MIMEType != b.MIMEType {
		return false
	}
	switch a.Modality {
	case fullduplex.ModalityAudio:
		return a.SampleRate() == b.SampleRate() && a.Channels() == b.Channels()
	case fullduplex.ModalityText:
		return role == fullduplex.RoleModel
	}
	return false
}

// lastRole returns the role of the newest entry, or "".
func (h *history) lastRole() string {
	if len(h.entries) == 0 {
		return ""
	}
	return h.entries[len(h.entries)-1].role
}

// dropTrailing removes the newest entries said by role: the turn a failed
// model call was given.
func (h *history) dropTrailing(role string) {
	n := len(h.entries)
	for n > 0 && h.entries[n-1].role == role {
		n--
	}
	clear(h.entries[n:])
	h.entries = h.entries[:n]
}

// cut drops what is older than window before now (window < 0 keeps all),
// keeps at most maxTurns turns (0: no limit), and drops model turns at the
// front, so the prompt starts with the user.
func (h *history) cut(now time.Time, window time.Duration, maxTurns int) {
	drop := 0
	if window >= 0 {
		limit := now.Add(-window)
		for drop < len(h.entries) && h.entries[drop].at.Before(limit) {
			drop++
		}
	}
	if maxTurns > 0 {
		turns := 0
		for i := len(h.entries) - 1; i >= drop; i-- {
			if i == len(h.entries)-1 || h.entries[i].role != h.entries[i+1].role {
				turns++
				if turns > maxTurns {
					drop = i + 1
					break
				}
			}
		}
	}
	for drop < len(h.entries) && h.entries[drop].role != fullduplex.RoleUser {
		drop++
	}
	if drop > 0 {
		n := copy(h.entries, h.entries[drop:])
		clear(h.entries[n:])
		h.entries = h.entries[:n]
	}
}

// limitImages keeps only the newest limit images and video frames.
func (h *history) limitImages(limit int) {
	total := 0
	for _, e := range h.entries {
		if visual(e.sym) {
			total++
		}
	}
	surplus := total - limit
	if surplus <= 0 {
		return
	}
	out := h.entries[:0]
	for _, e := range h.entries {
		if surplus > 0 && visual(e.sym) {
			surplus--
			continue
		}
		out = append(out, e)
	}
	clear(h.entries[len(out):])
	h.entries = out
}

func visual(s fullduplex.Symbol) bool {
	return s.Modality == fullduplex.ModalityImage || s.Modality == fullduplex.ModalityVideo
}

// prompt returns the history as turns. The symbols are copies whose Data
// cannot be appended to in place, so the history may keep growing while a
// model reads the prompt.
func (h *history) prompt() []Turn {
	if len(h.entries) == 0 {
		return nil
	}
	syms := make([]fullduplex.Symbol, len(h.entries))
	var turns []Turn
	start := 0
	for i, e := range h.entries {
		syms[i] = e.sym
		syms[i].Data = e.sym.Data[:len(e.sym.Data):len(e.sym.Data)]
		if i == len(h.entries)-1 || h.entries[i+1].role != e.role {
			turns = append(turns, Turn{Role: e.role, Symbols: syms[start : i+1 : i+1]})
			start = i + 1
		}
	}
	return turns
}
