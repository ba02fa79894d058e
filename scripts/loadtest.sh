#!/usr/bin/env bash
# Load test of `qrcascade serve` on loopback, bounded in time.
#
# Builds the binary, renders synthetic clean invoices (2.2 MP JPEGs), starts
# the server on 127.0.0.1, and drives POST /detect with wrk (Debian package
# `wrk`) in three phases:
#   1. nominal:  CONNS connections (default: the CPU count), DURATION long;
#   2. overload: 4 × (max concurrent + queue) connections, DURATION long:
#                only 503s beyond capacity are expected;
#   3. recovery: CONNS connections for RECOVERY right after: zero errors
#                expected.
# It prints throughput, latency percentiles, answers by status, socket
# errors and the server's idle and peak RSS, then stops everything it
# started. Exit status 1 when a phase breaks its expectation.
#
# Environment: DURATION (15s), RECOVERY (5s), CONNS (nproc), PORT (18808),
# COUNT (8 images), SERVE_FLAGS (extra flags for serve), KEEP (1: keep the
# temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-15s}
RECOVERY=${RECOVERY:-5s}
CONNS=${CONNS:-$(nproc)}
PORT=${PORT:-18808}
COUNT=${COUNT:-8}
SERVE_FLAGS=${SERVE_FLAGS:-}
ADDR="127.0.0.1:${PORT}"
URL="http://${ADDR}"

command -v wrk >/dev/null || { echo "loadtest: wrk not found (apt-get install wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "loadtest: curl not found" >&2; exit 2; }

TMP=$(mktemp -d /tmp/qrcascade-loadtest.XXXXXX)
SERVER_PID=""
cleanup() {
	if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	[[ "${KEEP:-0}" == 1 ]] && echo "loadtest: kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

echo "loadtest: building and rendering $COUNT clean_invoice images" >&2
GOEXPERIMENT="${GOEXPERIMENT-simd}" CGO_ENABLED=0 go build -trimpath -o "$TMP/qrcascade" ./cmd/qrcascade
"$TMP/qrcascade" synth --scenario clean_invoice --count "$COUNT" "$TMP/img" >/dev/null
FILES=$(ls "$TMP"/img/*.jpg | tr '\n' ' ')

# shellcheck disable=SC2086
"$TMP/qrcascade" serve --addr "$ADDR" --log-level warn $SERVE_FLAGS 2>"$TMP/server.log" &
SERVER_PID=$!
for _ in $(seq 100); do
	curl -fs "$URL/readyz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fs "$URL/readyz" >/dev/null || { echo "loadtest: server did not start" >&2; cat "$TMP/server.log" >&2; exit 1; }

rss_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SERVER_PID/status"; }
metric() { curl -fs "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

IDLE_RSS=$(rss_kb VmRSS)
SLOTS=$(metric qrcascade_decode_slots)
QUEUE=$(metric qrcascade_queue_places)
OVERLOAD=$((4 * (SLOTS + QUEUE)))

# Warm-up: every image once; each must read.
for f in $FILES; do
	curl -fs -X POST --data-binary @"$f" -H 'Content-Type: application/octet-stream' "$URL/detect" |
		grep -q '"success":true' || { echo "loadtest: warm-up read failed on $f" >&2; exit 1; }
done

status=0
answered() { curl -fs "$URL/metrics" | awk '$1 ~ /^qrcascade_requests_total\{outcome="(success|not_found)"\}$/ {n += $2} END {print n + 0}'; }
run_phase() { # name conns duration
	echo "loadtest: phase $1: $2 connections for $3" >&2
	local cpu0 n0 cpu1 n1
	cpu0=$(metric process_cpu_seconds_total); n0=$(answered)
	LOADTEST_FILES="$FILES" wrk -t 2 -c "$2" -d "$3" --timeout 30s -s scripts/loadtest.lua "$URL" |
		awk -v p="$1" '/^RESULT/ {sub(/^RESULT/, "phase=" p " conns='"$2"'"); printf "%s", $0}'
	cpu1=$(metric process_cpu_seconds_total); n1=$(answered)
	# Server CPU time per answered image: the cost of a read independent of
	# how much of the machine other processes take.
	awk -v c="$cpu1" -v c0="$cpu0" -v n="$n1" -v n0="$n0" 'BEGIN {
		if (n > n0) printf " server_cpu_ms_per_read=%.1f\n", 1000 * (c - c0) / (n - n0); else print "" }'
}
check() { # line: expects only the listed statuses and no socket errors
	local line=$1 allowed=$2
	local st; st=$(sed -n 's/.*statuses=\([^ ]*\).*/\1/p' <<<"$line")
	for kv in ${st//,/ }; do
		[[ " $allowed " == *" ${kv%%=*} "* ]] || { echo "loadtest: unexpected status ${kv%%=*} in: $line" >&2; status=1; }
	done
	grep -q 'socket_errors=0 timeouts=0' <<<"$line" || { echo "loadtest: socket errors or timeouts in: $line" >&2; status=1; }
}

L1=$(run_phase nominal "$CONNS" "$DURATION"); echo "$L1"; check "$L1" "200"
RSS_AFTER_NOMINAL=$(rss_kb VmHWM)
L2=$(run_phase overload "$OVERLOAD" "$DURATION"); echo "$L2"; check "$L2" "200 503"
L3=$(run_phase recovery "$CONNS" "$RECOVERY"); echo "$L3"; check "$L3" "200"

PEAK_RSS=$(rss_kb VmHWM)
echo "server: slots=$SLOTS queue=$QUEUE idle_rss_mb=$((IDLE_RSS / 1024)) peak_rss_nominal_mb=$((RSS_AFTER_NOMINAL / 1024)) peak_rss_mb=$((PEAK_RSS / 1024))"
echo "server: requests_total by outcome:"
curl -fs "$URL/metrics" | grep '^qrcascade_requests_total' | sed 's/^/  /'
if grep -q '"level":"ERROR"' "$TMP/server.log"; then
	echo "loadtest: errors in the server log:" >&2
	grep '"level":"ERROR"' "$TMP/server.log" | head -5 >&2
	status=1
fi
exit $status
