// Package scripttest holds the scripted clock, source and sinks that the
// metrics tests of the fullduplex package and of its subpackages (otel,
// conformance) share: a conversation scripted with exact Timestamps and a
// clock the test moves by hand, so each measured delay can be asserted
// exactly.
package scripttest
