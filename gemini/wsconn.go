package gemini

import (
	"reflect"
	"unsafe"

	"github.com/gorilla/websocket"
	"google.golang.org/genai"
)

// wsConn returns the websocket connection inside an SDK session, or nil if
// the SDK no longer keeps one where this package looks for it (then the
// stream runs without a read limit; TestSDKSessionLayout fails first).
//
// The SDK offers no way to set the connection's read limit: it dials with
// gorilla's DefaultDialer and keeps the *websocket.Conn unexported. Reading
// that one field is the only reach into the SDK; the type check makes it
// safe against a change of layout.
func wsConn(sess *genai.Session) *websocket.Conn {
	if sess == nil {
		return nil
	}
	f := reflect.ValueOf(sess).Elem().FieldByName("conn")
	if !f.IsValid() || f.Type() != reflect.TypeFor[*websocket.Conn]() {
		return nil
	}
	return *(**websocket.Conn)(unsafe.Pointer(f.UnsafeAddr()))
}

// limitReads sets the largest message the connection reads; 0 or less
// means no limit. Call it before the connection's reader starts.
func limitReads(sess *genai.Session, limit int) {
	if ws := wsConn(sess); ws != nil && limit > 0 {
		ws.SetReadLimit(int64(limit))
	}
}
