#!/usr/bin/env bash
# Renders a dashboard recording to a PNG with headless Chromium; no platform needed.
#   A recording is the platform's own snapshot:  curl -H "Authorization: Bearer $(cat ~/.aegaeon/admin-token)" \
#       'http://HOST:8080/admin/dashboard/snapshot?window=120' > recording.json
#   Usage: platform/dashboard-replay.sh recording.json out.png [WIDTH [HEIGHT]]
# Serves the page's static files and the recording with the JDK's jwebserver on 127.0.0.1 and opens
# /dashboard/?replay=recording.json (the page renders a recording once, as of its time).
set -euo pipefail
rec=${1:?recording.json}; out=${2:?out.png}; width=${3:-1400}; height=${4:-1100}
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || { echo "no chromium (apt-get install -y chromium)" >&2; exit 2; }
# jwebserver came with JDK 18: JAVA_HOME's, else the PATH's, else the project's JDK 25
jwebserver=${JAVA_HOME:+$JAVA_HOME/bin/jwebserver}
[ -x "${jwebserver:-}" ] || jwebserver=$(command -v jwebserver || ls /usr/lib/jvm/temurin-25*/bin/jwebserver 2>/dev/null | head -1 || true)
[ -x "${jwebserver:-}" ] || { echo "no jwebserver (JDK 18 or later): set JAVA_HOME to a JDK 25" >&2; exit 2; }
site=$(mktemp -d); profile=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$site" "$profile"; }
trap cleanup EXIT
mkdir -p "$site/dashboard"
cp "$here"/src/main/resources/META-INF/resources/dashboard/* "$site/dashboard/"
cp "$rec" "$site/dashboard/recording.json"
port=$((20000 + RANDOM % 20000))
"$jwebserver" -b 127.0.0.1 -p "$port" -d "$site" -o none >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size="$width,$height" --virtual-time-budget=5000 --screenshot="$(realpath -m "$out")" \
  "http://127.0.0.1:$port/dashboard/?replay=recording.json&window=${WINDOW:-120}" >/dev/null 2>&1
[ -s "$out" ] && echo "wrote $out"
