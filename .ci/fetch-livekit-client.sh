#!/usr/bin/env bash
# Fetches LiveKit's JavaScript client SDK (livekit-client, from the npm
# registry) for livekit/'s browser test (issue 15): headless Chromium joins a
# room with it, as LiveKit's web apps do. Only its prebuilt UMD bundle is
# kept, in $FULLDUPLEX_CACHE (default ~/.cache/fullduplex), checked against
# the registry's sha512; the repository never holds it. Idempotent.
set -euo pipefail

VERSION=${LIVEKIT_CLIENT_VERSION:-2.23.0}
# sha512 of livekit-client-2.23.0.tgz (the registry's dist.integrity, in hex)
SHA512=8fd2a0f3a9c98c18cd1540feba4a768f030219ad24f980f9814fff47300cf99637a5b1badf5402b5eedf423c2a58c9ad07384324bf67298b8e2ccbfff486c0c6
CACHE=${FULLDUPLEX_CACHE:-$HOME/.cache/fullduplex}
OUT=$CACHE/livekit-client-$VERSION.umd.js

if [ -s "$OUT" ]; then
	echo "fetch-livekit-client: $OUT"
	exit 0
fi
mkdir -p "$CACHE"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/client.tgz" "https://registry.npmjs.org/livekit-client/-/livekit-client-$VERSION.tgz"
if [ "$VERSION" = 2.23.0 ]; then
	echo "$SHA512  $tmp/client.tgz" | sha512sum -c --quiet -
fi
tar -xzf "$tmp/client.tgz" -C "$tmp" package/dist/livekit-client.umd.js
mv "$tmp/package/dist/livekit-client.umd.js" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "fetch-livekit-client: livekit-client $VERSION at $OUT"
