# qrcascade — build, test and benchmark targets. `make test` is what CI runs.
GO      ?= go
CORPUS  ?= ../shared/corpus
BIN     := bin/qrcascade
# VERSION is stamped into the binary (qrcascade version, qrcascade_build_info).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Packages whose tests also run under the race detector (needs cgo + gcc).
RACE_PKGS := . ./internal/classic/... ./internal/server/... ./cmd/...

.PHONY: all build build-portable bench-micro test check fmt vet race fuzz bench bench-corpus deploy-check loadtest soak soak-server soak-library peers peers-native clean

all: build

# build: the shipped binary, pure Go and static, with the AVX2/FMA kernels
# of the neural tier (Go 1.26's simd experiment, amd64): CPUs without
# AVX2/FMA and other architectures run the portable kernels, with the same
# reads. The detector is about 3× faster with them (docs/DECISIONS.md,
# 2026-12-05). build-portable (GOEXP empty) leaves the experiment out, as
# `go build` and `go install` do.
GOEXP ?= simd
build:
	GOEXPERIMENT=$(GOEXP) CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/qrcascade

build-portable:
	$(MAKE) build GOEXP=

# test: formatting, vet, a pure-Go build, every test without cgo, then the
# race detector on the concurrent packages when a C compiler is present.
test: check
	CGO_ENABLED=0 $(GO) build ./...
	CGO_ENABLED=0 $(GO) test -count=1 ./...
	# the SIMD kernels (Go 1.26 simd/archsimd, amd64) pass the same tests
	@if [ "$$($(GO) env GOARCH)" = amd64 ]; then \
		echo "GOEXPERIMENT=simd $(GO) test -count=1 ./internal/jpegluma/ ./internal/gray/ ./internal/neural/ ./internal/qr/ ./internal/cascade/"; \
		GOEXPERIMENT=simd CGO_ENABLED=0 $(GO) test -count=1 ./internal/jpegluma/ ./internal/gray/ ./internal/neural/ ./internal/qr/ ./internal/cascade/; \
	fi
	@if command -v gcc >/dev/null 2>&1; then \
		echo "CGO_ENABLED=1 $(GO) test -race -short -count=1 $(RACE_PKGS)"; \
		CGO_ENABLED=1 $(GO) test -race -short -count=1 $(RACE_PKGS); \
	else echo "gcc not found: skipping the race detector"; fi

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# fuzz: every fuzz target of the repository in turn, each for FUZZTIME
# (the seed corpora also run in `test`), with FUZZPARALLEL workers (1: the
# build machines have two cores). Each target runs ≥ 1,000 executions a
# second (#17; FuzzOpen, which runs PDFium, hundreds: docs/PDF.md); `make
# fuzz FUZZTIME=10m` is the pre-release run. FUZZ_TARGETS (package:Target)
# selects a subset. FUZZMINIMIZETIME bounds the minimization of each new
# interesting input by a count of executions: Go's default, 60 s, kills
# the worker when the time is up, losing its executions from the count
# and restarting it (docs/DECISIONS.md). scripts/fuzz.sh runs them: every
# target runs even after one failed, and a run that Go 1.26 ends with
# "context deadline exceeded" but no failing input is a flake
# (golang/go#75804), not a failure. The targets are built as `build`
# builds the binary (GOEXP, the SIMD kernels included); GOEXP= fuzzes the
# portable build.
FUZZTIME         ?= 20s
FUZZPARALLEL     ?= 1
FUZZMINIMIZETIME ?= 1000x
FUZZ_TARGETS ?= \
	./internal/imgio:FuzzDecode \
	./internal/imgio:FuzzDecodePages \
	./internal/imgio:FuzzPNGLuma \
	./internal/jpegluma:FuzzDecode \
	./internal/neural:FuzzLoad \
	./internal/gray:FuzzOps \
	./internal/pdf:FuzzOpen \
	./internal/pdf:FuzzScan \
	./internal/qr:FuzzDecodeQuad \
	./internal/qr:FuzzFitGridLocal \
	./internal/qr:FuzzDecodeModules \
	./internal/qr:FuzzPayloadBytes \
	./internal/invoice:FuzzParse \
	./internal/server:FuzzDetect \
	./internal/bench:FuzzParseProcStatus
fuzz:
	GOEXPERIMENT=$(GOEXP) GO=$(GO) FUZZTIME=$(FUZZTIME) FUZZPARALLEL=$(FUZZPARALLEL) FUZZMINIMIZETIME=$(FUZZMINIMIZETIME) \
		scripts/fuzz.sh $(FUZZ_TARGETS)

# bench: the mode comparison. Every mode (classic, nano, hybrid, large) runs
# in a fresh child process over a sample of the shared corpus spread over its
# categories (BENCH_SAMPLE images per set; sets that are absent are skipped)
# and over the four synthetic operator scenarios (BENCH_SCENARIOS scenes
# each). It rewrites the generated section of docs/BENCHMARKS.md (between
# its marker comments) and the plots in docs/img/; bench-out/ holds
# modes.json, modes.md and the SVG plots. The whole corpus (long: run it once):
#   make bench BENCH_SAMPLE=0 BENCH_SETS="zxing zxing-cpp jsqr boofcv-decoding zxing-cpp-negatives qreader boofcv-dev"
BENCH_MODES     ?= classic,nano,hybrid,large
BENCH_SETS      ?= boofcv-dev zxing-cpp zxing-cpp-negatives
BENCH_SAMPLE    ?= 40
BENCH_SCENARIOS ?= 24
BENCH_WORKERS   ?= 2
bench: build
	$(BIN) bench --modes $(BENCH_MODES) --workers $(BENCH_WORKERS) --sample $(BENCH_SAMPLE) \
		$(foreach s,$(BENCH_SETS),$(if $(wildcard $(CORPUS)/$(s)/manifest.jsonl),--manifest $(CORPUS)/$(s)/manifest.jsonl)) \
		--scenarios --scenario-count $(BENCH_SCENARIOS) --out bench-out \
		--update-doc docs/BENCHMARKS.md --commit "$$(git describe --always --dirty)" \
		--note 'Regenerate with `make bench` (BENCH_SETS, BENCH_SAMPLE, BENCH_SCENARIOS, BENCH_WORKERS, BENCH_MODES override the defaults); the whole corpus: `make bench BENCH_SAMPLE=0 BENCH_SETS="zxing zxing-cpp jsqr boofcv-decoding zxing-cpp-negatives qreader boofcv-dev"`.'

# bench-micro: the Go micro-benchmarks (cpu-ms/op beside ns/op where it matters).
bench-micro:
	$(GO) test -run '^$$' -bench . -benchtime 20x . ./internal/...

bench-corpus: build
	$(BIN) bench --mode classic \
		--manifest $(CORPUS)/zxing/manifest.jsonl \
		--manifest $(CORPUS)/zxing-cpp/manifest.jsonl \
		--manifest $(CORPUS)/jsqr/manifest.jsonl \
		--manifest $(CORPUS)/boofcv-decoding/manifest.jsonl \
		--manifest $(CORPUS)/zxing-cpp-negatives/manifest.jsonl \
		--manifest $(CORPUS)/qreader/manifest.jsonl \
		--manifest $(CORPUS)/boofcv-dev/manifest.jsonl

# deploy-check: the deployment assets. go test ./deploy parses the dashboard
# and checks every metric the dashboard and rules query is exported;
# promtool (Debian package `prometheus`) checks the rules' syntax and runs
# their unit tests, when installed.
deploy-check:
	$(GO) test -count=1 ./deploy
	@if command -v promtool >/dev/null 2>&1; then \
		promtool check rules deploy/prometheus/alerts.yaml && \
		promtool test rules deploy/prometheus/alerts_test.yaml; \
	else echo "promtool not found (apt-get install prometheus): skipping the rule checks"; fi

# loadtest: the service on loopback under wrk (Debian package `wrk`),
# bounded in time; see scripts/loadtest.sh for its knobs.
loadtest:
	scripts/loadtest.sh

# soak: `qrcascade serve` (nano, 2 decode slots, 4 queue places) on
# loopback under hostile clients (#17): slow uploaders (6, 60), 4× overload,
# 1,100 idle connections, the bombs table two at once (peak RSS), SIGTERM
# with slow uploaders connected. SOAK_SECONDS per phase (default 10; about
# 1 + 6 × SOAK_SECONDS s in all); SOAK_BIN to measure another build. The
# report goes to stdout and bench-out/soak.md (docs/BENCHMARKS.md records it).
#
# Then the decompression bombs of #17 (internal/hostile) at full size, each
# read twice at once by a child process of the library whose peak RSS is
# measured; fails over 2 s a request or 200 MB peak RSS, except the entries
# soak_test.go lists as known. Minutes; Linux only (/proc).
SOAK_SECONDS ?= 10
soak: soak-server soak-library
soak-server:
	SOAK_SECONDS=$(SOAK_SECONDS) $(GO) test -tags soak -run '^TestSoak$$' -count=1 -v -timeout 20m ./cmd/qrcascade
soak-library:
	QRCASCADE_SOAK=1 CGO_ENABLED=0 $(GO) test -count=1 -run '^TestSoakHostile$$' -v -timeout 30m .

# peers: qrcascade beside zxing-cpp 3.x (zxing-wasm), jsQR, quirc and ZBar on
# the shared corpus, with the harness in ../shared/tools/peers (copied to a
# temporary folder; needs node + npm, so not part of `make test`). Knobs
# (SETS, PEERS, NANO_SETS, PEERS_DIR, RUN_FLAGS, QRC_FLAGS) in scripts/peers.sh;
# results in out/peers/<time>/.
peers:
	scripts/peers.sh

# peers-native: the side-by-side of issue #16, qrcascade (MODES, default
# classic nano) beside native zxing-cpp 3.1.1, one core each (taskset -c CPU,
# GOMAXPROCS=1), order alternated between ROUNDS, on SETS (default
# boofcv-dev); prints codes read, mean/p50/p95/p99/max ms and the ratios to
# zxing-cpp. BASE=/path/to/old/qrcascade adds that binary's modes for a
# before/after in the same run. Builds zxing-cpp once into PEERS_DIR (needs
# cmake, g++, libstb-dev, libwebp-dev). Results in out/peers-native/<time>/.
peers-native:
	scripts/peers-native.sh

clean:
	rm -rf bin
