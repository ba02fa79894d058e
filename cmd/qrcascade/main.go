// Command qrcascade reads QR codes in images: batch scans, corpus
// benchmarks and (later) an HTTP service.
//
//	qrcascade scan [flags] FILE|DIR|-…   read every image, JSON lines / CSV / text out
//	qrcascade bench --manifest M.jsonl  read rate, false reads, latency on a corpus
//	qrcascade synth [flags] DIR          write synthetic scenes with a manifest
//	qrcascade serve [flags]              HTTP service (POST /detect, /metrics)
//	qrcascade peer [flags]               tools/peers harness protocol on stdin/stdout
//	qrcascade version
//
// Run `qrcascade COMMAND -h` for each command's flags.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes of the commands: 0 success; for scan, 1 some input without
// code and 2 errors (a missing or unreadable input, bad flags); see
// scanUsage and --zbar-exit-codes.
const (
	exitOK      = 0
	exitNoCode  = 1
	exitFailure = 2
)

const usage = `qrcascade reads QR codes in images.

Usage:
  qrcascade scan [flags] FILE|DIR|-...  read every image (recursive; - is stdin), JSON lines by default
  qrcascade bench [flags] --manifest M  score reads against a corpus manifest
  qrcascade synth [flags] DIR           write synthetic QR scenes and a manifest
  qrcascade serve [flags]               HTTP service: POST /detect, /metrics (default 127.0.0.1:8008)
  qrcascade peer [flags]                one JSON answer per image path on stdin (tools/peers protocol)
  qrcascade version

Run "qrcascade COMMAND -h" for the flags of a command.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitFailure
	}
	switch args[0] {
	case "scan":
		return runScan(ctx, args[1:], os.Stdin, stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "synth":
		return runSynth(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "peer":
		return runPeer(ctx, args[1:], os.Stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "qrcascade", buildVersion(), runtime.Version())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "qrcascade: unknown command %q\n\n%s", args[0], usage)
	return exitFailure
}

// version is set at build time with -ldflags "-X main.version=…" (the
// Makefile stamps `git describe`). Empty: buildVersion falls back to the
// module version that `go install …@version` records.
var version string

// buildVersion returns the version stamped at build time, else the main
// module's version from the build information (v1.2.3 for `go install
// github.com/qrcascade/qrcascade/cmd/qrcascade@v1.2.3`), else the VCS
// revision of a build from a checkout, else "dev".
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	return versionFrom(bi)
}

// versionFrom picks the version out of bi (see buildVersion).
func versionFrom(bi *debug.BuildInfo) string {
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "-dirty"
	}
	return "devel-" + rev
}
