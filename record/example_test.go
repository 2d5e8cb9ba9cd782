package record_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/record"
)

// A Recorder on both sides of a session: the user's input through Source,
// the model's output as a Sink beside the others.
func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "record")
	defer os.RemoveAll(dir)
	rec, err := record.Create(filepath.Join(dir, "call.wav"), record.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	stream := fullduplextest.NewFakeStream()
	stream.EmitAfterInput(fd.TextSymbol("Hello!").WithMeta(fd.MetaRole, fd.RoleModel), fd.NewEvent(fd.EventStreamEnd, nil))
	session := fd.NewDuplexSession(stream)
	input := rec.Source(fullduplextest.SliceSource(fd.TextSymbol("Hi")))
	if err := session.RunDuplex(context.Background(), input, fd.MultiSink(&fullduplextest.Recorder{}, rec)); err != nil {
		fmt.Println(err)
	}
	if err := rec.Close(); err != nil {
		fmt.Println(err)
	}

	b, _ := os.ReadFile(filepath.Join(dir, "call.json"))
	var tr record.Transcript
	_ = json.Unmarshal(b, &tr)
	for _, e := range tr.Entries {
		fmt.Println(e.Type, e.Role, e.Text)
	}
	// Output:
	// text user Hi
	// text model Hello!
	// turn_end
}
