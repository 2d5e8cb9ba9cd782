package openai

// A logEntry is one conversation item as the stream re-creates it in a new
// session: a message as text, a function call or its output.
type logEntry struct {
	seq     int
	key     string // the service's item id, for entries it created (user speech)
	item    wireItem
	written bool // the event that creates it has been written (or the service made it)
}

// A convLog is the conversation so far, kept to re-seed a new session
// after a reconnect: what the user typed, the transcripts of what the user
// said, what the model said (as much as the listener heard of a cut answer),
// and tool calls with their outputs. At most max entries are kept. It is
// guarded by the Stream's mu.
type convLog struct {
	entries []logEntry
	max     int
	seq     int
}

func (l *convLog) add(e logEntry) int {
	l.seq++
	e.seq = l.seq
	l.entries = append(l.entries, e)
	if over := len(l.entries) - l.max; over > 0 && l.max > 0 {
		clear(l.entries[:over])
		l.entries = append(l.entries[:0], l.entries[over:]...)
	}
	return e.seq
}

func (l *convLog) markWritten(seq int) {
	for i := len(l.entries) - 1; i >= 0; i-- {
		if l.entries[i].seq == seq {
			l.entries[i].written = true
			return
		}
	}
}

func message(role, contentType, text string) wireItem {
	c := wireContent{Type: contentType, Text: text}
	return wireItem{Type: "message", Role: role, Content: []wireContent{c}}
}

// addUserText logs a typed user turn, not yet written.
func (l *convLog) addUserText(text string) int {
	return l.add(logEntry{item: message("user", "input_text", text)})
}

// addUserSpeech logs the user's spoken item key, made by the service; its
// transcript comes later (setTranscript).
func (l *convLog) addUserSpeech(key string) {
	for _, e := range l.entries {
		if e.key == key {
			return
		}
	}
	l.add(logEntry{key: key, item: message("user", "input_text", ""), written: true})
}

func (l *convLog) setTranscript(key, text string) {
	for i := len(l.entries) - 1; i >= 0; i-- {
		if l.entries[i].key == key {
			l.entries[i].item.Content[0].Text = text
			return
		}
	}
}

// addModel logs what the model said.
func (l *convLog) addModel(text string) {
	if text != "" {
		l.add(logEntry{item: message("assistant", "output_text", text), written: true})
	}
}

func (l *convLog) addCall(callID, name, args string) {
	l.add(logEntry{item: wireItem{Type: "function_call", CallID: callID, Name: name, Arguments: args}, written: true})
}

// addOutput logs a tool result, not yet written.
func (l *convLog) addOutput(callID, output string) int {
	return l.add(logEntry{item: wireItem{Type: "function_call_output", CallID: callID, Output: output}})
}

// reseed returns the items a new session is given: every written entry
// with content. A function call whose output was cut off by max is
// dropped with it, so that the new session sees no unanswered call it did
// not make.
func (l *convLog) reseed() []wireItem {
	outputs := map[string]bool{}
	for _, e := range l.entries {
		if e.written && e.item.Type == "function_call_output" {
			outputs[e.item.CallID] = true
		}
	}
	calls := map[string]bool{}
	var items []wireItem
	for _, e := range l.entries {
		if !e.written {
			continue
		}
		switch e.item.Type {
		case "message":
			if e.item.Content[0].Text == "" {
				continue
			}
		case "function_call":
			if !outputs[e.item.CallID] {
				continue
			}
			calls[e.item.CallID] = true
		case "function_call_output":
			if !calls[e.item.CallID] {
				continue
			}
		}
		items = append(items, e.item)
	}
	return items
}
