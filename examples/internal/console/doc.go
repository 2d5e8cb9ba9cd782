// Package console holds the terminal pieces the examples share: a
// cancellable line reader for standard input (Lines), a transcript printer
// (Transcript), and Turns, which makes a line typed over a streaming
// answer cut it off.
package console
