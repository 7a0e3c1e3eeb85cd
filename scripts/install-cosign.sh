#!/usr/bin/env bash
# Installs cosign 2.5 from Debian trixie without moving the system's apt off its own release: a separate
# apt configuration (its own sources list, lists and cache under the tools folder) downloads the .deb,
# and `dpkg -x` unpacks it there. Prints the binary's path. Idempotent; needs only apt-get and dpkg.
# Usage: COSIGN="$(bash scripts/install-cosign.sh)"   (folder: $SIGNET_TOOLS, default ~/.cache/signet-tools)
set -euo pipefail
tools="${SIGNET_TOOLS:-$HOME/.cache/signet-tools}"
binary="$tools/cosign/usr/bin/cosign"
if [ -x "$binary" ]; then echo "$binary"; exit 0; fi

apt_root="$tools/apt-trixie"
mkdir -p "$apt_root/etc/sources.list.d" "$apt_root/etc/preferences.d" "$apt_root/state/lists/partial" \
  "$apt_root/cache/archives/partial" "$tools/debs"
touch "$apt_root/state/status"
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' \
  >"$apt_root/etc/sources.list"
apt_options=(
  -o "Dir::Etc::SourceList=$apt_root/etc/sources.list"
  -o "Dir::Etc::SourceParts=$apt_root/etc/sources.list.d"
  -o "Dir::Etc::Preferences=$apt_root/etc/preferences"
  -o "Dir::Etc::PreferencesParts=$apt_root/etc/preferences.d"
  -o "Dir::State::Lists=$apt_root/state/lists"
  -o "Dir::State::status=$apt_root/state/status"
  -o "Dir::Cache=$apt_root/cache"
)
apt-get -qq "${apt_options[@]}" -o APT::Sandbox::User=root update >&2
(cd "$tools/debs" && apt-get -qq "${apt_options[@]}" -o APT::Sandbox::User=root download cosign >&2)
deb="$(ls "$tools"/debs/cosign_2.5.*_amd64.deb 2>/dev/null | head -n1)"
if [ -z "$deb" ]; then
  echo "install-cosign: Debian trixie did not serve cosign 2.5 (got: $(ls "$tools/debs"))" >&2
  exit 1
fi
dpkg -x "$deb" "$tools/cosign"
"$binary" version >/dev/null
echo "$binary"
