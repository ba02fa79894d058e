# lib.sh — the setup scripts/peers.sh and scripts/peers-native.sh share;
# sourced by them, not run. It makes the repository root the working
# directory and defines:
#
#   repo        the repository root
#   commit      `git describe --always --dirty` of the tree (unknown outside git)
#   CORPUS      corpus root (default ../shared/corpus)
#   PEERS_SRC   the shared harness (default ../shared/tools/peers)
#   RUN_FLAGS   extra flags for the harness's `run` (default none)
#   QRC_FLAGS   extra reader flags for every qrcascade peer (default none)
#
#   log MESSAGE…                      a line on stderr, prefixed with the script's name
#   copy_harness DIR                  copy PEERS_SRC into DIR unless DIR holds a harness
#   build_qrcascade BIN               build this tree's qrcascade (CGO_ENABLED=0) to BIN
#   register_peers FILE FLAGS NAME EXE MODE [NAME EXE MODE …]
#                                     register qrcascade peers in the registry FILE
#   describe_machine                  the lines every machine.txt starts with

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PATH="$PATH:/usr/local/go/bin"

CORPUS="${CORPUS:-$repo/../shared/corpus}"
PEERS_SRC="${PEERS_SRC:-$repo/../shared/tools/peers}"
RUN_FLAGS="${RUN_FLAGS:-}"
QRC_FLAGS="${QRC_FLAGS:-}"
commit="$(git describe --always --dirty 2>/dev/null || echo unknown)"

log() { echo "$(basename "$0"): $*" >&2; }

# copy_harness DIR: copies the harness PEERS_SRC into DIR (made writable)
# unless DIR already holds one (its peers.json); the shared copy is never
# written to. A copy makes PEERS_SRC absolute, for machine.txt.
copy_harness() {
  local dir="$1"
  if [[ -f "$dir/peers.json" ]]; then
    log "reusing the harness copy in $dir"
    return
  fi
  [[ -f "$PEERS_SRC/peers.json" ]] || { log "no harness at $PEERS_SRC"; exit 1; }
  log "copying $PEERS_SRC to $dir"
  mkdir -p "$dir"
  cp -a "$PEERS_SRC/." "$dir/"
  chmod -R u+w "$dir"
  PEERS_SRC="$(cd "$PEERS_SRC" && pwd)"
}

# build_qrcascade BIN: builds this tree's qrcascade as make build does
# (pure Go, GOEXPERIMENT=simd unless GOEXPERIMENT is set, empty for the
# portable kernels), version stamped with commit, to BIN.
build_qrcascade() {
  mkdir -p "$(dirname "$1")"
  log "building qrcascade ($commit)"
  GOEXPERIMENT="${GOEXPERIMENT-simd}" CGO_ENABLED=0 go build -trimpath -ldflags "-X main.version=$commit" -o "$1" ./cmd/qrcascade
}

# register_peers FILE FLAGS NAME EXE MODE [NAME EXE MODE …]: registers (or
# refreshes) each qrcascade peer NAME in the harness registry FILE as
#   env GOMAXPROCS=1 EXE peer --mode MODE --name NAME FLAGS
# (EXE relative to the harness copy, where the command runs; FLAGS split
# as a shell would). GOMAXPROCS=1: the other peers are single-threaded.
register_peers() {
  python3 - "$@" <<'EOF'
import json, shlex, sys
path, flags, peers = sys.argv[1], shlex.split(sys.argv[2]), sys.argv[3:]
with open(path) as f:
    reg = json.load(f)
for i in range(0, len(peers), 3):
    name, exe, mode = peers[i:i + 3]
    reg[name] = ["env", "GOMAXPROCS=1", exe, "peer", "--mode", mode, "--name", name] + flags
with open(path, "w") as f:
    json.dump(reg, f, indent=2)
    f.write("\n")
EOF
}

# describe_machine prints the date, commit, CPU, load and Go version lines
# that start each machine.txt; $1, when given, is added to the CPU line.
describe_machine() {
  echo "date: $(date -u +%FT%TZ)"
  echo "commit: $commit"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores${1:-}"
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "go: $(go version)"
}
