#!/usr/bin/env bash
# Starts the headless audio rig the audio/ tests run against (issue 4):
# a PulseAudio daemon with two null sinks,
#   "speaker"  the default sink   (what a program plays; record speaker.monitor)
#   "mic"      whose monitor, mic.monitor, is the default source
#              (play a WAV into "mic" and a program's microphone hears it),
# ALSA routed to PulseAudio (so PortAudio's ALSA host API reaches it), and two
# silent 10 ms streams that keep both sinks clocked in small blocks (an idle
# null sink renders in 2 s blocks). Clients find the daemon through
# /etc/pulse/client.conf.d and /etc/asound.conf, so no environment variable is
# needed. Idempotent: run it again and it only repairs what is missing.
# Works as root (CI) and as a normal user with sudo for the config files.
set -euo pipefail

SOCKDIR=/tmp/fullduplex-pulse
SOCK=$SOCKDIR/native
LOG=$SOCKDIR/pulseaudio.log
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

for bin in pulseaudio pactl pacat; do
	command -v "$bin" >/dev/null || { echo "start-audio: $bin not found (apt-get install pulseaudio pulseaudio-utils)" >&2; exit 1; }
done
mkdir -p "$SOCKDIR"
chmod 755 "$SOCKDIR"

# On a desktop with its own PulseAudio or PipeWire, the lines below would
# send every program's sound to the silent test server: refuse, unless CI
# or FULLDUPLEX_AUDIO_RIG_FORCE=1.
if [ "${CI:-}" != "true" ] && [ "${FULLDUPLEX_AUDIO_RIG_FORCE:-}" != "1" ] &&
	! grep -qs "unix:$SOCK" /etc/pulse/client.conf.d/50-fullduplex.conf &&
	other=$(pactl info 2>/dev/null | grep -i '^Server String') ; then
	echo "start-audio: another sound server is running ($other)." >&2
	echo "start-audio: this script would redirect every program to a silent test server;" >&2
	echo "start-audio: set FULLDUPLEX_AUDIO_RIG_FORCE=1 to do it anyway (undo: rm /etc/pulse/client.conf.d/50-fullduplex.conf)." >&2
	exit 1
fi

# Client side: every libpulse client (pactl, paplay, the ALSA pulse plugin
# inside PortAudio) connects to our socket and never autospawns a daemon.
$SUDO mkdir -p /etc/pulse/client.conf.d
$SUDO tee /etc/pulse/client.conf.d/50-fullduplex.conf >/dev/null <<EOF
# Written by fullduplex .ci/start-audio.sh: the headless test audio server.
default-server = unix:$SOCK
autospawn = no
EOF

# ALSA's default PCM and mixer go to PulseAudio (the pulse plugin from
# libasound2-plugins); we only write /etc/asound.conf if it is absent or ours.
if [ ! -f /etc/asound.conf ] || grep -q 'fullduplex' /etc/asound.conf; then
	$SUDO tee /etc/asound.conf >/dev/null <<'EOF'
# Written by fullduplex .ci/start-audio.sh: ALSA through PulseAudio.
pcm.!default { type pulse hint { show on description "Default (PulseAudio)" } }
ctl.!default { type pulse }
EOF
else
	echo "start-audio: /etc/asound.conf exists and is not ours; leaving it alone" >&2
fi

export PULSE_SERVER=unix:$SOCK

# The daemon, unless one already answers on our socket.
if ! pactl info >/dev/null 2>&1; then
	cat >"$SOCKDIR/default.pa" <<EOF
load-module module-native-protocol-unix auth-anonymous=1 socket=$SOCK
load-module module-null-sink sink_name=speaker rate=48000 channels=2 sink_properties=device.description=speaker
load-module module-null-sink sink_name=mic rate=48000 channels=2 sink_properties=device.description=mic
set-default-sink speaker
set-default-source mic.monitor
EOF
	mkdir -p "$SOCKDIR/pulse"
	cat >"$SOCKDIR/pulse/daemon.conf" <<EOF
exit-idle-time = -1
flat-volumes = no
default-sample-rate = 48000
alternate-sample-rate = 48000
avoid-resampling = yes
default-fragments = 2
default-fragment-size-msec = 10
realtime-scheduling = yes
realtime-priority = 9
high-priority = yes
nice-level = -11
EOF
	# As root PulseAudio warns that it is meant for --system; a per-user
	# daemon as root works for a test rig and needs no pulse-access group.
	# Its I/O threads run at real-time priority (SCHED_RR; as root without
	# rtkit, elsewhere through rtkit if present, else it goes on at normal
	# priority): on a loaded CI machine a sound server that waits for the
	# CPU starves every client of audio (issue 10).
	HOME=$SOCKDIR XDG_RUNTIME_DIR=$SOCKDIR XDG_CONFIG_HOME=$SOCKDIR \
		pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit=yes \
		--disallow-module-loading=no --use-pid-file=yes --system=no \
		-n -F "$SOCKDIR/default.pa" --log-target=file:"$LOG" \
		--realtime=yes --high-priority=yes 2>>"$LOG" || true
	# Up to 10 s for the socket to answer.
	for _ in $(seq 50); do
		pactl info >/dev/null 2>&1 && break
		sleep 0.2
	done
	pactl info >/dev/null 2>&1 || { echo "start-audio: PulseAudio did not start; log:" >&2; cat "$LOG" >&2; exit 1; }
fi

# The two sinks and the defaults (a daemon started elsewhere may lack them).
for s in speaker mic; do
	pactl list short sinks | awk '{print $2}' | grep -qx "$s" ||
		pactl load-module module-null-sink sink_name=$s rate=48000 channels=2 sink_properties=device.description=$s >/dev/null
done
pactl set-default-sink speaker
pactl set-default-source mic.monitor

# Keep-alive streams: a silent 10 ms-latency playback stream on each sink,
# so the null sinks (and their monitors) render in 10 ms blocks instead of
# 2 s ones. setsid detaches them from this script, so they outlive it for
# the rest of the CI run.
keep() { # name, command...
	local name=$1; shift
	local pidf=$SOCKDIR/$name.pid
	if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then return; fi
	setsid bash -c 'echo $$ >"$0"; exec "$@" >/dev/null 2>&1 </dev/zero' "$pidf" "$@" &
	for _ in $(seq 20); do [ -s "$pidf" ] && break; sleep 0.05; done
}
keep play-speaker pacat --playback --raw --device=speaker --latency-msec=10 --rate=48000 --channels=2 --format=s16le --client-name=fullduplex-keepalive
keep play-mic pacat --playback --raw --device=mic --latency-msec=10 --rate=48000 --channels=2 --format=s16le --client-name=fullduplex-keepalive

# Warm up: the monitors must deliver audio promptly before the tests start.
timeout 5 parec --raw --device=mic.monitor --latency-msec=10 2>/dev/null | head -c 19200 >/dev/null || true
timeout 5 parec --raw --device=speaker.monitor --latency-msec=10 2>/dev/null | head -c 19200 >/dev/null || true

echo "start-audio: PulseAudio on $PULSE_SERVER; default sink speaker, default source mic.monitor"
pactl list short sinks
