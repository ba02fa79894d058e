#!/usr/bin/env bash
# peers.sh — qrcascade beside other open-source QR readers, in the same run,
# with the shared side-by-side harness (../shared/tools/peers, see its README).
#
#   scripts/peers.sh [OUTDIR]            (default OUTDIR: out/peers/<UTC timestamp>)
#   make peers
#
# What it does, in order:
#   1. copies the harness (PEERS_SRC, default ../shared/tools/peers) to a fresh
#      temporary folder (removed at exit), or reuses PEERS_DIR when set (copying
#      into it when it holds no peers.json; kept, so npm ci runs once); the
#      shared copy is never written to;
#   2. builds bin/qrcascade-peer (CGO_ENABLED=0, version = git describe) into the
#      copy and registers it in the copy's peers.json as
#        qrcascade       env GOMAXPROCS=1 qrcascade peer --mode classic --timings
#        qrcascade-nano  env GOMAXPROCS=1 qrcascade peer --mode nano --timings
#      GOMAXPROCS=1 because every other peer is single-threaded (the harness
#      sets OpenCV to 1 thread, sharp to concurrency 1); QRC_FLAGS adds reader
#      flags (as in `qrcascade scan`) to both;
#   3. runs `npm ci` in the copy's js/ when zxing-wasm or jsQR is missing;
#   4. runs the peers one at a time (nothing in parallel) with the harness's
#      `run` over each set, in the order given by PEERS, then `score`
#      (detection mode for boofcv-dev by itself; --loose for boofcv-decoding,
#      whose CRLF payloads the corpus README says to compare normalised).
#
# Knobs (environment):
#   CORPUS     corpus root (default ../shared/corpus from the repository root)
#   SETS       sets to run (default: boofcv-dev zxing zxing-cpp jsqr boofcv-decoding zxing-cpp-negatives)
#   PEERS      peers in run order (default: zxing-wasm qrcascade jsqr quirc zbar; zxing-wasm and
#              qrcascade back to back so both see the same machine state). quirc, zbar and
#              zxing-cpp-py are dropped with a note when their build or Debian package is missing.
#   NANO_SETS  sets on which qrcascade-nano also runs, right after the others (default: boofcv-dev;
#              empty: none)
#   RUN_FLAGS  extra flags for the harness's `run` (e.g. "-repeat 3")
#   QRC_FLAGS  extra reader flags for both qrcascade peers (e.g. "--timeout 5s")
#
# Output: OUTDIR/machine.txt (date, CPU, load, commit, versions), OUTDIR/SET/PEER.jsonl
# (+ .meta.json, .log), OUTDIR/SET/score.txt and score.json; OUTDIR/SET/qrcascade*.log
# also hold our per-image stage times (--timings), summarised in OUTDIR/SET/stages.txt. Nothing is written to the
# repository except OUTDIR (out/ is git-ignored) and bin/.
#
# Needs: Go, node + npm (for the JS peers), python3; not part of `make test` (CI has no npm).
# The setup shared with peers-native.sh (CORPUS, PEERS_SRC, RUN_FLAGS, QRC_FLAGS, the
# harness copy, the build, the registry) is in scripts/lib.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SETS="${SETS:-boofcv-dev zxing zxing-cpp jsqr boofcv-decoding zxing-cpp-negatives}"
PEERS="${PEERS:-zxing-wasm qrcascade jsqr quirc zbar}"
NANO_SETS="${NANO_SETS-boofcv-dev}"
out="${1:-$repo/out/peers/$(date -u +%Y%m%dT%H%M%SZ)}"

# --- 1. the harness copy ---------------------------------------------------------------
if [[ -n "${PEERS_DIR:-}" ]]; then
  pdir="$PEERS_DIR"
else
  # A fresh copy (with its node_modules, about 70 MB) is removed at exit; set PEERS_DIR to keep one.
  pdir="$(mktemp -d "${TMPDIR:-/tmp}/qrcascade-peers.XXXXXX")"
  trap 'rm -rf "$pdir"' EXIT
fi
copy_harness "$pdir"
pdir="$(cd "$pdir" && pwd)"

# --- 2. our peer ----------------------------------------------------------------------
build_qrcascade "$pdir/.bin/qrcascade"
# Register (or refresh) both qrcascade entries; the command runs in $pdir.
register_peers "$pdir/peers.json" "--timings $QRC_FLAGS" \
  qrcascade .bin/qrcascade classic \
  qrcascade-nano .bin/qrcascade nano

# --- 3. JS peers --------------------------------------------------------------------
if [[ ! -d "$pdir/js/node_modules/zxing-wasm" || ! -d "$pdir/js/node_modules/jsqr" ]]; then
  log "npm ci in $pdir/js"
  (cd "$pdir/js" && npm ci --no-fund --no-audit)
fi

# Peers that need a build or a Debian package are dropped when it is missing.
have_peer() {
  case "$1" in
    quirc) "$pdir/tools/build-c.sh" >/dev/null 2>&1 ;;
    zbar) /usr/bin/python3 -c 'import zbar' >/dev/null 2>&1 ;;
    zxing-cpp-py) /usr/bin/python3 -c 'import zxingcpp' >/dev/null 2>&1 ;;
    *) return 0 ;;
  esac
}
peers=()
for p in $PEERS; do
  if have_peer "$p"; then peers+=("$p"); else log "skipping $p (not installed; see $PEERS_SRC/README.md)"; fi
done

# --- machine state ------------------------------------------------------------------
mkdir -p "$out"
{
  describe_machine
  echo "node: $(node --version 2>/dev/null || echo none)"
  echo "harness: $PEERS_SRC -> $pdir"
  echo "peers: ${peers[*]}; nano on: ${NANO_SETS:-none}"
  echo "run flags: ${RUN_FLAGS:-none}; qrcascade flags: ${QRC_FLAGS:-none}"
} | tee "$out/machine.txt" >&2

# --- 4. run, one peer at a time, then score ------------------------------------------
for set in $SETS; do
  manifest="$CORPUS/$set/manifest.jsonl"
  if [[ ! -f "$manifest" ]]; then
    log "no $manifest: skipping $set"
    continue
  fi
  mkdir -p "$out/$set"
  run_peers=("${peers[@]}")
  [[ " $NANO_SETS " == *" $set "* ]] && run_peers+=(qrcascade-nano)
  outs=()
  for p in "${run_peers[@]}"; do
    log "$(date -u +%FT%TZ) $set $p (load $(cut -d' ' -f1-3 /proc/loadavg))"
    # shellcheck disable=SC2086
    if "$pdir/run" $RUN_FLAGS "$p" "$manifest" "$out/$set/$p.jsonl" 2>"$out/$set/$p.log"; then
      outs+=("$out/$set/$p.jsonl")
    else
      log "  $p failed on $set: see $out/$set/$p.log"
    fi
    tail -n 1 "$out/$set/$p.log" | sed 's/^/  /' >&2
  done
  ((${#outs[@]})) || continue
  flags=()
  [[ "$set" == boofcv-decoding ]] && flags+=(--loose)
  "$pdir/score" "${flags[@]}" "$manifest" "${outs[@]}" >"$out/$set/score.txt"
  "$pdir/score" --json "${flags[@]}" "$manifest" "${outs[@]}" >"$out/$set/score.json"
  # Where our time went: mean and p50 of each stage (from --timings; the last line
  # per image, so the driver's untimed warm-up decode is left out).
  rm -f "$out/$set/stages.txt"
  for p in "${run_peers[@]}"; do
    [[ "$p" == qrcascade* && -f "$out/$set/$p.log" ]] || continue
    python3 - "$p" "$out/$set/$p.log" >>"$out/$set/stages.txt" <<'EOF'
import json, statistics, sys
peer, path = sys.argv[1], sys.argv[2]
rows = {}
for line in open(path):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if isinstance(r, dict) and "decode_ms" in r:
        rows[r["path"]] = r
if rows:
    parts = []
    for k in ("decode_ms", "classic_ms", "nano_ms", "large_ms", "read_ms"):
        v = [r[k] for r in rows.values()]
        parts.append("%s mean %.2f p50 %.2f" % (k, statistics.mean(v), statistics.median(v)))
    print("%s stage times over %d images: %s" % (peer, len(rows), "; ".join(parts)))
EOF
  done
  echo "== $set" >&2
  cat "$out/$set/score.txt" >&2
  [[ -f "$out/$set/stages.txt" ]] && cat "$out/$set/stages.txt" >&2
done
log "$(date -u +%FT%TZ) done (load $(cut -d' ' -f1-3 /proc/loadavg)); results in $out"
