#!/usr/bin/env bash
# deploy/sizing/measure.sh — the measurements behind deploy/sizing.md (#14).
#
# Starts `qrcascade serve` on loopback with the manifests' admission
# settings (2 decode slots, 4 queue places, 1 PDF instance), drives each
# workload with CLIENTS concurrent curl loops (slots + queue: saturation),
# and prints one Markdown row per workload: answers by status, RSS when
# ready, and the peak RSS (VmHWM of /proc/PID/status) after the workload.
# Each workload runs in a fresh process, so each peak is its own.
#
# Knobs: N (requests per workload, default 24), CLIENTS (default 6), PORT,
# TIMEOUT (request deadline, default 120s: longer than the manifests' 10s so
# that a busy test machine neither drops work nor cuts the PDF engine's
# first compile short, which would understate the peaks),
# GOMEMLIMIT (unset by default: the natural peak), BIN (default
# bin/qrcascade, built by `make build`). Traffic goes to 127.0.0.1 only;
# every loop is bounded by N and by curl's --max-time.
# Needs curl and bc (Debian packages of the same names).
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-bin/qrcascade}
PORT=${PORT:-18431}
N=${N:-24}
CLIENTS=${CLIENTS:-6}
TIMEOUT=${TIMEOUT:-120s}
work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

[ -x "$BIN" ] || make build >/dev/null
"$BIN" synth --count 3 --seed 100 "$work/img" >/dev/null
go run ./deploy/sizing/inputs "$work" "$work/img/blurry_photo_100.jpg"

# cpu: user + system clock ticks of the server so far.
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }

kib() { awk -v k="$1" '/^'"$1"':/ {print $2}' "/proc/$pid/status"; }

# start MODE CACHE_DIR [extra serve flags]: a fresh server, ready.
start() {
	local mode=$1 cache=$2
	shift 2
	QRCASCADE_ADDR=127.0.0.1:$PORT QRCASCADE_MODE=$mode QRCASCADE_MAX_CONCURRENT=2 QRCASCADE_QUEUE=4 \
		QRCASCADE_TIMEOUT=$TIMEOUT QRCASCADE_PDF_INSTANCES=1 QRCASCADE_PDF_CACHE_DIR=$cache QRCASCADE_LOG_LEVEL=error \
		"$BIN" serve "$@" 2>"$work/serve.log" &
	pid=$!
	for _ in $(seq 1 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$PORT/readyz" && return 0
		sleep 0.1
	done
	echo "server not ready" >&2
	cat "$work/serve.log" >&2
	return 1
}

stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
}

# drive COUNT FILE...: COUNT requests over CLIENTS loops, rotating FILEs.
drive() {
	local count=$1
	shift
	local files=("$@") clients=$((count < CLIENTS ? count : CLIENTS))
	local per=$(((count + clients - 1) / clients))
	: >"$work/codes"
	for c in $(seq 1 "$clients"); do
		(
			for i in $(seq 1 "$per"); do
				f=${files[$(((c * per + i) % ${#files[@]}))]}
				curl -s -o /dev/null -w '%{http_code}\n' --max-time 180 --data-binary "@$f" \
					-H 'Content-Type: application/octet-stream' "http://127.0.0.1:$PORT/detect" >>"$work/codes"
			done
		) &
	done
	wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
}

# row NAME MODE CACHE COUNT FILE...: one workload in a fresh process.
row() {
	local name=$1 mode=$2 cache=$3 count=$4
	shift 4
	start "$mode" "$cache"
	local ready t0 t1 c0 c1
	ready=$(kib VmRSS)
	c0=$(cpu)
	t0=$(date +%s.%N)
	drive "$count" "$@"
	t1=$(date +%s.%N)
	c1=$(cpu)
	local answers cachemb=-
	answers=$(sort "$work/codes" | uniq -c | awk '{printf "%s%s×%s", (NR>1?" ":""), $1, $2}')
	[ -d "$cache" ] && cachemb=$(du -sm "$cache" | cut -f1)
	printf '| %s | %s | %s | %.0f | %.0f | %.1f | %.2f | %s |\n' "$name" "$mode" "$answers" \
		"$(echo "$ready / 1024" | bc -l)" "$(echo "$(kib VmHWM) / 1024" | bc -l)" "$(echo "$t1 - $t0" | bc -l)" \
		"$(echo "($c1 - $c0) / $(getconf CLK_TCK) / ($t1 - $t0)" | bc -l)" "$cachemb"
	stop
}

img=$work/img
photos=("$img"/blurry_photo_*.jpg "$img"/small_4k_*.jpg "$work/photo12.jpg")
invoices=("$img"/clean_invoice_*.jpg "$img"/damaged_*.jpg)
pdfs=("$work/vector.pdf" "$work/scan.pdf" "$work/pages5.pdf")

echo "qrcascade $(git describe --always --dirty), $(date -u +%Y-%m-%d), N=$N CLIENTS=$CLIENTS TIMEOUT=$TIMEOUT GOMEMLIMIT=${GOMEMLIMIT:-unset}, $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)"
echo
echo "| workload | mode | answers | RSS ready (MB) | peak RSS (MB) | wall (s) | CPU (cores) | PDF cache (MB) |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
for mode in classic nano hybrid; do
	row "2 MP invoice scans" "$mode" off "$N" "${invoices[@]}"
	row "photos 3–12 MP" "$mode" off "$N" "${photos[@]}"
done
# PDFs: the first one after start without a compilation cache (cold), the
# first one with the cache filled (a restarted container), then a
# saturated stream; and a hybrid mix of photos and PDFs.
cache=$work/cache
row "first PDF, cold (no cache)" nano "$cache" 1 "$work/vector.pdf"
row "first PDF, cache filled" nano "$cache" 1 "$work/vector.pdf"
row "PDFs (vector, scan, 5 pages)" nano "$cache" "$N" "${pdfs[@]}"
row "photos + PDFs" hybrid "$cache" "$N" "${photos[@]}" "${pdfs[@]}"
