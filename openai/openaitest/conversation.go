package openaitest

import (
	"encoding/base64"
	"fmt"
)

// An item is one conversation item. Guarded by Conn.mu.
type item struct {
	ID        string    `json:"id,omitempty"`
	Type      string    `json:"type"`
	Role      string    `json:"role,omitempty"`
	Status    string    `json:"status,omitempty"`
	Content   []content `json:"content,omitempty"`
	CallID    string    `json:"call_id,omitempty"`
	Name      string    `json:"name,omitempty"`
	Arguments string    `json:"arguments,omitempty"`
	Output    string    `json:"output,omitempty"`

	audio  []byte // input or output audio, wire bytes
	format string // of audio
}

type content struct {
	Type       string `json:"type"`
	Text       string `json:"text,omitempty"`
	Transcript string `json:"transcript,omitempty"`
	Audio      string `json:"audio,omitempty"`
	ImageURL   string `json:"image_url,omitempty"`
}

// wire returns the item as the service shows it (a copy).
func (it *item) wire() item {
	w := *it
	w.Content = append([]content(nil), it.Content...)
	w.audio = nil
	return w
}

func (it *item) audioMS() int {
	if it.format == "" {
		return 0
	}
	return len(it.audio) / bytesPerMS(it.format)
}

func (c *Conn) lastItemIDLocked() any {
	if len(c.conv) == 0 {
		return nil
	}
	return c.conv[len(c.conv)-1].ID
}

func (c *Conn) findLocked(id string) (int, *item) {
	for i, it := range c.conv {
		if it.ID == id {
			return i, it
		}
	}
	return -1, nil
}

// Items returns the conversation as the service keeps it.
func (c *Conn) Items() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, it := range c.conv {
		m := map[string]any{"id": it.ID, "type": it.Type, "role": it.Role, "call_id": it.CallID, "output": it.Output}
		var text string
		for _, ct := range it.Content {
			text += ct.Text + ct.Transcript
		}
		m["text"] = text
		m["audio_ms"] = it.audioMS()
		out = append(out, m)
	}
	return out
}

// createItem adds an item of conversation.item.create, refusing what the
// service refuses.
func (c *Conn) createItem(ev ClientEvent) {
	var it item
	if err := ev.Field("item", &it); err != nil {
		c.sendError(ev.EventID, "missing_required_parameter", "Missing required parameter: 'item'.", "item")
		return
	}
	fail := func(param, format string, args ...any) {
		c.sendError(ev.EventID, "invalid_value", fmt.Sprintf(format, args...), param)
	}
	c.mu.Lock()
	switch it.Type {
	case "message":
		allowed := map[string][]string{
			"user":      {"input_text", "input_audio", "input_image"},
			"system":    {"input_text"},
			"assistant": {"output_text", "output_audio"},
		}[it.Role]
		if allowed == nil {
			c.mu.Unlock()
			fail("item.role", "Invalid value: '%s'. Supported values are: 'user', 'assistant' and 'system'.", it.Role)
			return
		}
		if len(it.Content) == 0 {
			c.mu.Unlock()
			fail("item.content", "A message needs content.")
			return
		}
		for i, ct := range it.Content {
			ok := false
			for _, a := range allowed {
				ok = ok || ct.Type == a
			}
			if !ok {
				c.mu.Unlock()
				fail(fmt.Sprintf("item.content[%d].type", i), "Invalid value: '%s'. Supported values for role '%s' are: %v.", ct.Type, it.Role, allowed)
				return
			}
			if ct.Type == "input_audio" {
				b, err := base64.StdEncoding.DecodeString(ct.Audio)
				if err != nil {
					c.mu.Unlock()
					fail(fmt.Sprintf("item.content[%d].audio", i), "Invalid base64 audio.")
					return
				}
				it.audio, it.format = b, c.sess.inFormat
				it.Content[i].Audio = ""
			}
		}
	case "function_call":
		if it.CallID == "" || it.Name == "" {
			c.mu.Unlock()
			fail("item.call_id", "A function_call needs call_id and name.")
			return
		}
	case "function_call_output":
		found := false
		for _, x := range c.conv {
			found = found || (x.Type == "function_call" && x.CallID == it.CallID)
		}
		if !found {
			c.mu.Unlock()
			fail("item.call_id", "Tool call ID '%s' not found in conversation.", it.CallID)
			return
		}
	default:
		c.mu.Unlock()
		fail("item.type", "Invalid value: '%s'. Supported values are: 'message', 'function_call' and 'function_call_output'.", it.Type)
		return
	}
	if it.ID == "" {
		it.ID = c.newIDLocked("item")
	} else if _, dup := c.findLocked(it.ID); dup != nil {
		c.mu.Unlock()
		fail("item.id", "Item with id '%s' already exists.", it.ID)
		return
	}
	it.Status = "completed"
	prev := c.lastItemIDLocked()
	c.conv = append(c.conv, &it)
	w := it.wire()
	c.mu.Unlock()
	c.send(map[string]any{"type": "conversation.item.added", "previous_item_id": prev, "item": w})
	c.send(map[string]any{"type": "conversation.item.done", "previous_item_id": prev, "item": w})
}

// truncate applies conversation.item.truncate: an assistant audio item
// cut at audio_end_ms, which must not be past the audio the server sent.
func (c *Conn) truncate(ev ClientEvent) {
	var req struct {
		ItemID       string `json:"item_id"`
		ContentIndex *int   `json:"content_index"`
		AudioEndMS   *int   `json:"audio_end_ms"`
	}
	_ = ev.Field("item_id", &req.ItemID)
	var ci, end int
	if ev.Field("content_index", &ci) == nil {
		req.ContentIndex = &ci
	}
	if ev.Field("audio_end_ms", &end) == nil {
		req.AudioEndMS = &end
	}
	if req.ItemID == "" || req.ContentIndex == nil || req.AudioEndMS == nil {
		c.sendError(ev.EventID, "missing_required_parameter", "conversation.item.truncate needs item_id, content_index and audio_end_ms.", "")
		return
	}
	c.mu.Lock()
	_, it := c.findLocked(req.ItemID)
	switch {
	case it == nil:
		c.mu.Unlock()
		c.sendError(ev.EventID, "item_truncate_invalid_item_id", fmt.Sprintf("Item with item_id not found: %s", req.ItemID), "item_id")
		return
	case it.Role != "assistant" || it.format == "":
		c.mu.Unlock()
		c.sendError(ev.EventID, "invalid_value", "Only assistant messages with audio can be truncated.", "item_id")
		return
	case ci != 0:
		c.mu.Unlock()
		c.sendError(ev.EventID, "invalid_value", fmt.Sprintf("Invalid content_index %d: the item has audio at index 0.", ci), "content_index")
		return
	case end < 0 || end > it.audioMS():
		ms := it.audioMS()
		c.mu.Unlock()
		c.sendError(ev.EventID, "invalid_value", fmt.Sprintf("Audio content of %dms is already shorter than %dms", ms, end), "audio_end_ms")
		return
	}
	total := it.audioMS()
	it.audio = it.audio[:end*bytesPerMS(it.format)]
	for i := range it.Content { // the transcript goes with the cut audio
		t := it.Content[i].Transcript
		if total > 0 {
			n := len(t) * end / total
			for n > 0 && n < len(t) && t[n]&0xC0 == 0x80 {
				n--
			}
			it.Content[i].Transcript = t[:n]
		}
	}
	c.mu.Unlock()
	c.send(map[string]any{"type": "conversation.item.truncated", "item_id": req.ItemID, "content_index": ci, "audio_end_ms": end})
}

func (c *Conn) deleteItem(ev ClientEvent) {
	var id string
	_ = ev.Field("item_id", &id)
	c.mu.Lock()
	i, it := c.findLocked(id)
	if it == nil {
		c.mu.Unlock()
		c.sendError(ev.EventID, "item_delete_invalid_item_id", fmt.Sprintf("Item with item_id not found: %s", id), "item_id")
		return
	}
	c.conv = append(c.conv[:i], c.conv[i+1:]...)
	c.mu.Unlock()
	c.send(map[string]any{"type": "conversation.item.deleted", "item_id": id})
}
