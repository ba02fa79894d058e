package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/qrcascade/qrcascade/internal/synth"
)

func runSynth(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("synth", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var names []string
	for _, s := range synth.Scenarios() {
		names = append(names, s.Name)
	}
	scenario := fset.String("scenario", "all", "scenario to render: all or one of "+strings.Join(names, ", "))
	count := fset.Int("count", 4, "scenes per scenario")
	seed := fset.Uint64("seed", 1, "first seed; scene i uses seed+i")
	format := fset.String("format", "jpeg", "image format: jpeg or png")
	quality := fset.Int("quality", 90, "JPEG quality")
	fset.Usage = func() {
		fmt.Fprintf(stderr, "Usage: qrcascade synth [flags] DIR\n\nWrites deterministic synthetic QR scenes (the operator scenarios) and DIR/manifest.jsonl\nfor `qrcascade bench`.\n\nFlags:\n")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		return exitFailure
	}
	if fset.NArg() != 1 || (*format != "jpeg" && *format != "png") || *count < 1 {
		fset.Usage()
		return exitFailure
	}
	dir := fset.Arg(0)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "qrcascade synth: %v\n", err)
		return exitFailure
	}
	f, err := os.Create(filepath.Join(dir, "manifest.jsonl"))
	if err != nil {
		fmt.Fprintf(stderr, "qrcascade synth: %v\n", err)
		return exitFailure
	}
	defer f.Close()
	n := 0
	found := false
	for _, sc := range synth.Scenarios() {
		if *scenario != "all" && *scenario != sc.Name {
			continue
		}
		found = true
		for i := 0; i < *count; i++ {
			if ctx.Err() != nil {
				return exitFailure
			}
			s := *seed + uint64(i)
			scene, err := synth.Render(sc.Spec(s), s)
			if err != nil {
				fmt.Fprintf(stderr, "qrcascade synth: %s seed %d: %v\n", sc.Name, s, err)
				return exitFailure
			}
			var data []byte
			ext := ".jpg"
			if *format == "png" {
				data, err = synth.EncodePNG(scene.Plane)
				ext = ".png"
			} else {
				data, err = synth.EncodeJPEG(scene.Plane, *quality)
			}
			if err != nil {
				fmt.Fprintf(stderr, "qrcascade synth: %v\n", err)
				return exitFailure
			}
			name := fmt.Sprintf("%s_%03d%s", sc.Name, s, ext)
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				fmt.Fprintf(stderr, "qrcascade synth: %v\n", err)
				return exitFailure
			}
			if err := scene.WriteLabels(f, name); err != nil {
				fmt.Fprintf(stderr, "qrcascade synth: %v\n", err)
				return exitFailure
			}
			n++
		}
	}
	if !found {
		fmt.Fprintf(stderr, "qrcascade synth: unknown scenario %q\n", *scenario)
		return exitFailure
	}
	if err := f.Close(); err != nil {
		fmt.Fprintf(stderr, "qrcascade synth: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "wrote %d scenes and %s\n", n, filepath.Join(dir, "manifest.jsonl"))
	return exitOK
}
