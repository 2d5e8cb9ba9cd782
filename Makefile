# fullduplex — make test runs the whole suite; make chat talks to Gemini.
# Both first install missing system packages (.ci/packages.txt, via apt) and
# start the headless audio server the audio tests use (.ci/start-*.sh).

GO ?= go
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin

.PHONY: test bench bench-python chat deps vet fuzz

# The packages that use the audio rig (real devices on a shared PulseAudio)
# run after the rest, one at a time, so that CPU load from other tests does
# not make the sound server drop audio. Their log names each test as it
# passes, fails or skips, so CI shows the real-device tests ran, and every
# failing assertion in full (testify's tab-indented Error Trace, Error and
# Messages blocks) and panic traces.
RIG_PKGS = ./audio/... ./examples/mic-chat

test: deps vet
	$(GO) test -race -timeout 15m $$($(GO) list ./... | grep -v -e /audio -e /examples/mic-chat)
	cd livekit && $(GO) test -race -timeout 15m ./...
	set -o pipefail; $(GO) test -race -p 1 -v -timeout 15m $(RIG_PKGS) | \
		grep --line-buffered -P '^(--- |ok|FAIL|PASS|panic|goroutine )|^\s+(--- |\S+_test\.go:[0-9]+: )|^\s*\t'

# livekit/ is its own module (LiveKit's dependencies and cgo stay out of
# the root module): vet and test it there.
vet:
	$(GO) vet ./...
	cd livekit && $(GO) vet ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./...

# bench-python runs the per-chunk Symbol workload in Python, Go, then Python
# again and prints the ratio (BENCHMARKS.md); N and RUNS override the sizes.
bench-python:
	GO=$(GO) bash bench/compare.sh

# chat builds mic-chat and runs the binary, not go run: go run exits 1 when
# Ctrl-C reaches it, where mic-chat ends the conversation and exits 0.
CHAT_BIN ?= $${TMPDIR:-/tmp}/fullduplex-mic-chat
chat: deps
	$(GO) build -o "$(CHAT_BIN)" ./examples/mic-chat
	"$(CHAT_BIN)" $(ARGS)

# fuzz runs each fuzz target for FUZZTIME (default 30s), livekit's for
# LIVEKIT_FUZZN executions (default 5000x).
FUZZTIME ?= 30s
LIVEKIT_FUZZN ?= 5000x
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done
	@# livekit/ (its own module) by executions, not time: a -fuzztime duration
	@# can end in "context deadline exceeded" with no crasher when the CPU
	@# is contended (go.dev/issue/75804).
	@cd livekit && for f in $$($(GO) test -list '^Fuzz' . | grep '^Fuzz'); do \
		echo "== livekit $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(LIVEKIT_FUZZN) . || exit 1; \
	done

deps:
	@bash .ci/install-packages.sh
	@for s in .ci/start-*.sh; do [ -e "$$s" ] && bash "$$s" || true; done
