package otel_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	fdotel "github.com/fullduplex-go/fullduplex/otel"
)

// A Telemetry beside the session's sink exports every turn it measures.
func ExampleNew() {
	spans := tracetest.NewSpanRecorder() // in production: an exporter's span processor
	tel, err := fdotel.New(fdotel.Config{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))})
	if err != nil {
		fmt.Println(err)
		return
	}
	stream := fullduplextest.NewFakeStream()
	stream.EmitAfterInput(fd.TextSymbol("Hello!").WithMeta(fd.MetaRole, fd.RoleModel), fd.NewEvent(fd.EventStreamEnd, nil))
	session := fd.NewDuplexSession(stream)
	session.Metrics = &fd.MetricsConfig{}
	err = session.RunDuplex(context.Background(), fullduplextest.SliceSource(fd.TextSymbol("Hi")), fd.MultiSink(&fullduplextest.Recorder{}, tel))
	fmt.Println("err:", err)
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// err: <nil>
	// fullduplex.turn
	// fullduplex.conversation
}
