#!/usr/bin/env bash
# peers-native.sh — qrcascade side by side with native zxing-cpp 3.1.1 (the
# speed reference of issue #16), one core each, on one or more corpus sets,
# and the table of issue #16: codes (or images) read, mean, p50, p95, p99 and
# max ms per image, file read and image decode included, plus each reader's
# mean and p50 as a ratio of zxing-cpp's, and CPU ms per image (driver +
# reader process, steadier than wall ms on a shared machine).
#
#   scripts/peers-native.sh [OUTDIR]       (default OUTDIR: out/peers-native/<UTC timestamp>)
#   make peers-native
#
# What it does:
#   1. copies the shared harness (PEERS_SRC, default ../shared/tools/peers) into
#      PEERS_DIR (default ${TMPDIR:-/tmp}/qrcascade-peers-native, kept between runs so
#      zxing-cpp is built once, about a minute on 2 cores; needs cmake, g++,
#      libstb-dev and libwebp-dev) unless it already holds one; the shared copy
#      is never written to;
#   2. builds bin/qrcascade-peer (as make build: CGO_ENABLED=0, GOEXPERIMENT=simd) into it and registers one peer
#      per mode in MODES: qrcascade-MODE = `env GOMAXPROCS=1 qrcascade peer
#      --mode MODE`; with BASE set to another qrcascade binary (a baseline
#      build), also base-MODE with that binary, for before/after in one run;
#   3. per set and round, runs the readers one at a time, each pinned to CPU
#      core CPU (taskset, driver and reader alike; zxing-cpp is single-threaded,
#      qrcascade runs with GOMAXPROCS=1); the order alternates between rounds
#      (round 1: zxing-cpp-native, then ours; round 2: the reverse; …) so that
#      both see the same machine state on a shared machine;
#   4. scores each reader's first round with the harness's `score` (detection
#      mode on boofcv-dev) and prints the table; with ROUNDS > 1 an image's ms
#      is its median over the rounds.
#
# Knobs (environment):
#   CORPUS  corpus root (default ../shared/corpus)
#   SETS    sets (default: boofcv-dev)
#   MODES   qrcascade modes (default: classic nano; hybrid and large also work)
#   BASE    a second qrcascade binary run beside this tree's (default: none)
#   ROUNDS  rounds per set, order alternated (default 1)
#   CPU     the core everything is pinned to (default 1; empty: no pinning)
#   RUN_FLAGS  extra flags for the harness's `run` (e.g. "-repeat 3")
#   QRC_FLAGS  extra reader flags for every qrcascade peer (e.g. "--timeout 5s")
#
# Output: OUTDIR/machine.txt, OUTDIR/SET/rN/PEER.jsonl (+ .meta.json, .log, .cpu:
# wall, user and system seconds of driver + reader),
# OUTDIR/SET/score.json and OUTDIR/SET/table.md (also printed). Nothing else is
# written to the repository (out/ is git-ignored). The setup shared with peers.sh
# (CORPUS, PEERS_SRC, RUN_FLAGS, QRC_FLAGS, the harness copy, the build, the registry)
# is in scripts/lib.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PEERS_DIR="${PEERS_DIR:-${TMPDIR:-/tmp}/qrcascade-peers-native}"
SETS="${SETS:-boofcv-dev}"
MODES="${MODES:-classic nano}"
BASE="${BASE:-}"
ROUNDS="${ROUNDS:-1}"
CPU="${CPU-1}"
out="${1:-$repo/out/peers-native/$(date -u +%Y%m%dT%H%M%SZ)}"

# --- 1. the harness copy and zxing-cpp --------------------------------------------------
pdir="$PEERS_DIR"
copy_harness "$pdir"
pdir="$(cd "$pdir" && pwd)"
"$pdir/tools/build-go.sh" >&2
"$pdir/tools/build-cpp.sh" >&2 || {
  log "zxing-cpp-native did not build (needs cmake, g++, libstb-dev, libwebp-dev: apt-get install cmake g++ libstb-dev libwebp-dev)"
  exit 1
}

# --- 2. our peers -------------------------------------------------------------------------
build_qrcascade "$pdir/.bin/qrcascade"
# Per mode, this tree's build and then (BASE) the baseline, back to back.
ours=()
peers=()
[[ -n "$BASE" ]] && cp "$BASE" "$pdir/.bin/qrcascade-base"
for m in $MODES; do
  ours+=("qrcascade-$m")
  peers+=("qrcascade-$m" .bin/qrcascade "$m")
  if [[ -n "$BASE" ]]; then
    ours+=("base-$m")
    peers+=("base-$m" .bin/qrcascade-base "$m")
  fi
done
register_peers "$pdir/peers.json" "$QRC_FLAGS" "${peers[@]}"

pin=()
[[ -n "$CPU" ]] && pin=(taskset -c "$CPU")

mkdir -p "$out"
{
  describe_machine "; pinned to: ${CPU:-none}"
  echo "base: ${BASE:-none}"
  echo "readers: zxing-cpp-native ${ours[*]}; rounds: $ROUNDS"
  echo "run flags: ${RUN_FLAGS:-none}; qrcascade flags: ${QRC_FLAGS:-none}"
} | tee "$out/machine.txt" >&2

# --- 3. run, alternating the order between rounds --------------------------------------------
readers=(zxing-cpp-native "${ours[@]}")
for set in $SETS; do
  manifest="$CORPUS/$set/manifest.jsonl"
  [[ -f "$manifest" ]] || { log "no $manifest: skipping $set"; continue; }
  for ((r = 1; r <= ROUNDS; r++)); do
    order=("${readers[@]}")
    if ((r % 2 == 0)); then
      order=()
      for ((i = ${#readers[@]} - 1; i >= 0; i--)); do order+=("${readers[i]}"); done
    fi
    mkdir -p "$out/$set/r$r"
    for p in "${order[@]}"; do
      log "$(date -u +%FT%TZ) $set round $r $p (load $(cut -d' ' -f1-3 /proc/loadavg))"
      # The CPU time of the driver and the reader (children included) goes
      # to PEER.cpu: on a loaded machine it is steadier than the wall ms.
      TIMEFORMAT='%R %U %S'
      # shellcheck disable=SC2086
      { time "${pin[@]}" "$pdir/.bin/run" -root "$pdir" $RUN_FLAGS "$p" "$manifest" "$out/$set/r$r/$p.jsonl" 2>"$out/$set/r$r/$p.log"; } 2>"$out/$set/r$r/$p.cpu" ||
        { log "  $p failed on $set: see $out/$set/r$r/$p.log"; exit 1; }
    done
  done

  # --- 4. score and table ---------------------------------------------------------------------
  flags=()
  [[ "$set" == boofcv-decoding ]] && flags+=(--loose)
  files=()
  for p in "${readers[@]}"; do files+=("$out/$set/r1/$p.jsonl"); done
  "$pdir/.bin/score" --json --no-union "${flags[@]}" "$manifest" "${files[@]}" >"$out/$set/score.json"
  python3 - "$set" "$out/$set" "$ROUNDS" "${readers[@]}" >"$out/$set/table.md" <<'EOF'
import json, math, statistics, sys
name, d, rounds, readers = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
score = json.load(open(d + "/score.json"))
by_peer = {s["peer"]: s for s in score["peers"]}
def rank(v, q):  # nearest rank, as the harness's scorer
    v = sorted(v)
    return v[max(0, math.ceil(q * len(v)) - 1)]
rows = {}
for p in readers:
    ms = {}
    for r in range(1, rounds + 1):
        for line in open("%s/r%d/%s.jsonl" % (d, r, p)):
            o = json.loads(line)
            if o.get("ms") is not None:
                ms.setdefault(o["image"], []).append(o["ms"])
    v = [statistics.median(x) for x in ms.values()]
    s = by_peer.get(p) or next(x for x in score["peers"] if x.get("file", "").endswith("/" + p + ".jsonl"))
    if score["mode"] == "detection":
        reads = "%d/%d" % (s["read"], s["codes"])
        extra = "%d unmatched" % s["unmatched"]
    else:
        reads = "%d/%d" % (s["success"], s["images"])
        extra = "%d false" % s["false_decodes"]
    cpu = []
    for r in range(1, rounds + 1):
        try:
            _, u, sy = open("%s/r%d/%s.cpu" % (d, r, p)).read().split()[-3:]
            cpu.append((float(u) + float(sy)) * 1000 / len(ms))
        except (OSError, ValueError):
            pass
    rows[p] = (reads, extra, statistics.mean(v), rank(v, .5), rank(v, .95), rank(v, .99), max(v),
               statistics.median(cpu) if cpu else float("nan"))
ref = rows[readers[0]]
unit = "codes read" if score["mode"] == "detection" else "images read"
print("%s (%d images; ms per image, median of %d round(s), file read + decode included)\n" % (name, score["images"], rounds))
print("| reader | %s | false / unmatched | mean ms | p50 ms | p95 ms | p99 ms | max ms | mean / zxing-cpp | p50 / zxing-cpp | CPU ms/img | CPU / zxing-cpp |" % unit)
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for p in readers:
    r = rows[p]
    print("| %s | %s | %s | %.1f | %.1f | %.1f | %.1f | %.0f | %.2f | %.2f | %.1f | %.2f |" % (p, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[2] / ref[2], r[3] / ref[3], r[7], r[7] / ref[7]))
print("\nCPU ms/img: user + system time of the harness driver and the reader process over the run (start-up, model")
print("load and one warm-up decode included) per image; steadier than the wall ms on a loaded machine.")
EOF
  echo "== $set" >&2
  cat "$out/$set/table.md"
done
log "$(date -u +%FT%TZ) done (load $(cut -d' ' -f1-3 /proc/loadavg)); results in $out"
