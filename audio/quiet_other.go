//go:build !linux

package audio

func quietHostAPIs() {}
