#!/usr/bin/env bash
# Starts the LiveKit server the livekit/ tests run against (issue 15):
# livekit-server in --dev mode on loopback (ws://127.0.0.1:7880, API key
# "devkey", secret "secret"; media on 127.0.0.1 only: UDP 7882, TCP 7881,
# the loopback interface its only ICE candidate).
# livekit-server is a Go program: the first run builds LIVEKIT_SERVER_VERSION
# from the Go module proxy in a throwaway module (about 3 minutes) and caches
# the binary in $FULLDUPLEX_CACHE (default ~/.cache/fullduplex); later runs
# reuse it. v1.9.11 is the newest release that builds from the proxy (v1.13.x
# replaces pion with forks the proxy refuses). Idempotent: a server already
# answering on the port is left alone. Its log: /tmp/fullduplex-livekit/server.log.
set -euo pipefail

VERSION=${LIVEKIT_SERVER_VERSION:-v1.9.11}
CACHE=${FULLDUPLEX_CACHE:-$HOME/.cache/fullduplex}
BIN=$CACHE/livekit-server-$VERSION
PORT=7880
RUNDIR=/tmp/fullduplex-livekit
export PATH="$PATH:/usr/local/go/bin"

# The browser test's JavaScript client (livekit-client from npm), cached too.
bash "$(dirname "$0")/fetch-livekit-client.sh"

answers() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null; }

if answers; then
	echo "start-livekit: livekit-server already answers on 127.0.0.1:$PORT"
	exit 0
fi

if [ ! -x "$BIN" ]; then
	command -v go >/dev/null || { echo "start-livekit: go not found" >&2; exit 1; }
	echo "start-livekit: building livekit-server $VERSION from the module proxy (once; a few minutes)"
	mkdir -p "$CACHE"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	cat >"$tmp/go.mod" <<MOD
module fullduplex.local/livekit-server-build

go 1.24.0

require github.com/livekit/livekit-server $VERSION
MOD
	cat >"$tmp/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/livekit/livekit-server/cmd/server"
GO
	(cd "$tmp" && GOFLAGS=-mod=mod go mod tidy && go build -o "$BIN.tmp" github.com/livekit/livekit-server/cmd/server)
	mv "$BIN.tmp" "$BIN"
fi

mkdir -p "$RUNDIR"
# The tests (livekit/server_test.go) start their own servers with the same
# loopback settings.
LOOPBACK_ONLY=$'rtc:\n  enable_loopback_candidate: true\n  interfaces:\n    includes: [lo]\n  ips:\n    includes: [127.0.0.0/8]\n'
# setsid: the server outlives this script (CI starts it, then runs make test).
setsid "$BIN" --dev --bind 127.0.0.1 --node-ip 127.0.0.1 --config-body "$LOOPBACK_ONLY" >"$RUNDIR/server.log" 2>&1 </dev/null &
echo $! >"$RUNDIR/pid"

for _ in $(seq 1 100); do
	if answers; then
		echo "start-livekit: livekit-server $VERSION answers on ws://127.0.0.1:$PORT (pid $(cat "$RUNDIR/pid"))"
		exit 0
	fi
	if ! kill -0 "$(cat "$RUNDIR/pid")" 2>/dev/null; then
		echo "start-livekit: livekit-server exited; its log:" >&2
		tail -20 "$RUNDIR/server.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "start-livekit: livekit-server did not answer on 127.0.0.1:$PORT within 10 s; its log:" >&2
tail -20 "$RUNDIR/server.log" >&2
exit 1
