package attention

import (
	"slices"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// handle applies the policies to one read: it moves the floor, and queues
// in a.out what is to be returned.
func (a *Source) handle(r read) {
	a.mu.Lock()
	a.handleLocked(r)
	a.mu.Unlock()
	a.flushEvents()
}

func (a *Source) handleLocked(r read) {
	st := &a.st[r.i]
	if r.eof {
		st.ended = true
		for {
			p, ok := st.pending.pop()
			if !ok {
				break
			}
			a.stats.Unattended.add(p.sym.Modality)
		}
		if a.isHolder(r.i) {
			a.release(r.i, ReasonEnded, a.now)
		}
		return
	}
	s, rate, ch := st.label(r.sym)
	now := s.Timestamp
	if now.After(a.now) {
		a.now = now
	}
	a.expire(now)
	in := &a.inputs[r.i]

	var claim Reason
	loud, active := false, false
	transcript := false
	switch s.Modality {
	case fullduplex.ModalityAudio:
		// With an activation phrase, voice matters only to a holder (and to
		// DropSilence): the others are not listened to.
		// An ambient input never claims: its voice matters to DropSilence
		// only.
		if a.cfg.Budget.DropSilence || !in.Ambient && (a.phrase == "" || a.isHolder(r.i)) {
			loud, active = st.voice(s, rate, ch, a.cfg.Sustained.MinSpeech)
		}
		if active && a.phrase == "" {
			claim = ReasonVoice
		}
	case fullduplex.ModalityText:
		active = true
		transcript, _ = s.Metadata[fullduplex.MetaTranscript].(bool)
		if !transcript {
			claim = ReasonText
		} else if text, _ := s.TextValue(); a.phrase != "" && st.heardPhrase(text, a.phrase) {
			claim = ReasonPhrase
		}
	}
	holder := a.isHolder(r.i)
	if !holder && !in.Ambient && claim == "" && a.cfg.Selective.Relevance != nil && a.cfg.Selective.Relevance(in.Name, s) {
		claim = ReasonRelevance
	}
	if active && holder {
		st.lastActive = now
	}
	if !holder && !in.Ambient && claim != "" {
		holder = a.claim(r.i, claim, now)
	}
	consumed := transcript && !a.cfg.Selective.PassTranscripts
	switch {
	case in.Ambient, holder:
		for holder {
			p, ok := st.pending.pop()
			if !ok {
				break
			}
			a.admit(r.i, p.sym, p.loud)
		}
		if consumed {
			a.stats.Transcripts.add(s.Modality)
			return
		}
		a.admit(r.i, s, loud || active)
	case consumed:
		a.stats.Transcripts.add(s.Modality)
	case s.Modality == fullduplex.ModalityAudio:
		if n := st.hold(s, audioDuration(len(s.Data), rate, ch), loud, a.cfg.Sustained.PreRoll); n > 0 {
			a.stats.Unattended.Audio += uint64(n)
		}
	default:
		a.stats.Unattended.add(s.Modality)
	}
}

func (a *Source) isHolder(i int) bool { return slices.Contains(a.holders, i) }

// claim gives input i the floor if it is free or i outranks a holder, and
// reports whether it did.
func (a *Source) claim(i int, why Reason, now time.Time) bool {
	a.st[i].lastActive = now
	if len(a.holders) < a.cfg.Divided.Max {
		a.holders = append(a.holders, i)
		a.change(FloorChange{Gained: a.inputs[i].Name, Reason: why, At: now})
		return true
	}
	// The lowest priority holder; of equals, the latest to take the floor.
	low := -1
	for k, h := range a.holders {
		if low < 0 || a.inputs[h].Priority <= a.inputs[a.holders[low]].Priority {
			low = k
		}
	}
	lost := a.holders[low]
	if a.inputs[i].Priority <= a.inputs[lost].Priority {
		return false
	}
	a.holders = slices.Delete(a.holders, low, low+1)
	if a.mix != nil {
		a.mix.leave(lost)
	}
	a.holders = append(a.holders, i)
	a.change(FloorChange{Gained: a.inputs[i].Name, Lost: a.inputs[lost].Name, Reason: ReasonPreempt, Claim: why, At: now})
	a.preempt = true
	return true
}

// release takes the floor from input i.
func (a *Source) release(i int, why Reason, now time.Time) {
	k := slices.Index(a.holders, i)
	if k < 0 {
		return
	}
	a.holders = slices.Delete(a.holders, k, k+1)
	if a.mix != nil {
		a.mix.leave(i)
	}
	a.change(FloorChange{Lost: a.inputs[i].Name, Reason: why, At: now})
}

// expire releases the holders inactive for Hold at media time now.
func (a *Source) expire(now time.Time) {
	for k := 0; k < len(a.holders); {
		h := a.holders[k]
		if now.Sub(a.st[h].lastActive) > a.cfg.Sustained.Hold {
			a.release(h, ReasonSilence, now)
			continue
		}
		k++
	}
}

// change records a change of the floor for OnEvent.
func (a *Source) change(c FloorChange) {
	if a.cfg.OnEvent == nil {
		return
	}
	c.Holders = a.holderNamesLocked()
	a.events = append(a.events, floorEvent(c))
}

// flushEvents delivers the changes of the last handle and calls
// Control.Interrupt after a preemption, outside the lock.
func (a *Source) flushEvents() {
	if a.preempt {
		a.preempt = false
		if f := a.cfg.Control.Interrupt; f != nil {
			f()
		}
	}
	if len(a.events) == 0 {
		return
	}
	if a.cfg.OnEvent != nil {
		for _, ev := range a.events {
			a.cfg.OnEvent(ev)
		}
	}
	clear(a.events)
	a.events = a.events[:0]
}

// admit passes s of input i on if the Budget allows, or mixes it.
func (a *Source) admit(i int, s fullduplex.Symbol, loud bool) {
	st := &a.st[i]
	b := &a.cfg.Budget
	switch s.Modality {
	case fullduplex.ModalityAudio:
		if b.DropSilence && !loud {
			a.stats.Silence.Audio++
			if a.mix != nil {
				a.mix.leave(i) // its next audio is placed by its time
			}
			return
		}
		if a.mix != nil {
			if a.mix.add(i, s) {
				a.stats.Mixed.Audio++
				a.mixFrames(false)
				return
			}
		}
	case fullduplex.ModalityVideo, fullduplex.ModalityImage:
		fb, fs := &b.Video, &st.frames[0]
		if s.Modality == fullduplex.ModalityImage {
			fb, fs = &b.Image, &st.frames[1]
		}
		now := s.Timestamp
		if fb.PerSecond > 0 && fs.sent && now.Sub(fs.lastSent) < time.Duration(float64(time.Second)/fb.PerSecond) {
			a.stats.OverRate.add(s.Modality)
			return
		}
		if fb.MinChange > 0 && fs.sent && fb.Difference(fs.last, s.Data) < fb.MinChange {
			a.stats.Unchanged.add(s.Modality)
			return
		}
		fs.last, fs.lastSent, fs.sent = s.Data, now, true
	}
	a.stats.Passed.add(s.Modality)
	a.out.push(s)
}

// mixFrames moves the mixed chunks that are ready (all, when final) to
// a.out.
func (a *Source) mixFrames(final bool) {
	for {
		s, ok := a.mix.frame(a.holders, final, a.out.len())
		if !ok {
			return
		}
		a.stats.MixedFrames++
		if s.Timestamp.IsZero() {
			s.Timestamp = a.now
		}
		a.out.push(s)
	}
}
