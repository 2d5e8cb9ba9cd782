#!/usr/bin/env bash
# Installs the Debian packages listed in .ci/packages.txt that are missing.
# Safe to run again: it does nothing when everything is installed.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t want < <(grep -v '^\s*#' packages.txt | awk 'NF{print $1}')
missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "all ${#want[@]} packages present"; exit 0; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
