// Package console holds the terminal pieces the examples share: a
// cancellable line reader for standard input and a transcript printer.
package console
