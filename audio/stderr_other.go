//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package audio

func withStderrSilenced(f func()) { f() }
