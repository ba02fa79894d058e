// Package models embeds the QR detectors trained for qrcascade (weights in
// safetensors, architecture in their metadata; see MODEL_CARD.md for how
// they were trained and what they measure). A build carries every
// *.safetensors file of this folder; which ones exist decides which neural
// modes are available.
package models

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed *.safetensors
var files embed.FS

// Load returns the weights of the named model ("nano", "large").
func Load(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".safetensors")
	if err != nil {
		return nil, fmt.Errorf("models: %s: %w", name, err)
	}
	return b, nil
}

// Available reports whether the named model is embedded in this build.
func Available(name string) bool {
	_, err := fs.Stat(files, name+".safetensors")
	return err == nil
}
