package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/pdf/pdftest"
)

// TestServePDFWarm: with --pdf-warm or $QRCASCADE_PDF_WARM=true serve
// starts the PDF engine in the background and logs when it is ready; by
// default (lazy, on the first PDF) or with --pdf-warm=false it does not. Either way a
// PDF posted to /detect is read, by the one engine all modes share.
func TestServePDFWarm(t *testing.T) {
	const text = "SERVE-PDF-WARM-0042"
	m, err := pdftest.Matrix(text)
	if err != nil {
		t.Fatal(err)
	}
	page := pdftest.NewPage(pdftest.A4[0], pdftest.A4[1])
	page.VectorQR(m, 300, 300, 2)
	doc := pdftest.Build([]*pdftest.Page{page}, pdftest.Options{})

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		warm bool
	}{
		{"default", nil, nil, true}, // warm before ready since #14
		{"flag on", []string{"--pdf-warm"}, nil, true},
		{"env off", nil, map[string]string{"QRCASCADE_PDF_WARM": "false"}, false},
		{"flag off", []string{"--pdf-warm=false"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var logs bytes.Buffer
			sw := &syncWriter{w: &logs}
			done := make(chan int, 1)
			go func() {
				done <- serveWith(ctx, append([]string{"--addr", addr, "--log-format", "text"}, tc.args...),
					func(k string) string { return tc.env[k] }, sw)
			}()
			logged := func(s string) bool {
				sw.mu.Lock()
				defer sw.mu.Unlock()
				return strings.Contains(logs.String(), s)
			}
			if tc.warm {
				// Seconds on a cold cache (about 8 s on the 2-core
				// development machine), well under one with it.
				deadline := time.Now().Add(60 * time.Second)
				for !logged("pdf engine ready") && time.Now().Before(deadline) {
					time.Sleep(50 * time.Millisecond)
				}
				if !logged("pdf engine ready") {
					t.Fatalf("no \"pdf engine ready\" line: %s", logs.String())
				}
				// Ready once the engine has started.
				resp, err := http.Get("http://" + addr + "/readyz")
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("GET /readyz after the engine started: %v %v", resp, err)
				}
				resp.Body.Close()
			}
			var resp *http.Response
			for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(20 * time.Millisecond) {
				if resp, err = http.Post("http://"+addr+"/detect", "application/pdf", bytes.NewReader(doc)); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("serve never answered: %v", err)
			}
			var body struct {
				Success bool   `json:"success"`
				Data    string `json:"data"`
				Image   struct {
					Format string `json:"format"`
					Pages  int    `json:"pages"`
				} `json:"image"`
			}
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || body.Data != text || body.Image.Format != "pdf" || body.Image.Pages != 1 {
				t.Errorf("POST /detect: %d %+v (%v)", resp.StatusCode, body, err)
			}
			cancel()
			select {
			case code := <-done:
				if code != exitOK {
					t.Errorf("exit %d", code)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not stop")
			}
			if got := logged("pdf engine warming"); got != tc.warm {
				t.Errorf("warming logged %v, want %v: %s", got, tc.warm, logs.String())
			}
		})
	}
}

// TestServePDFFlagsRejected: bad PDF settings exit 2 before listening,
// naming the setting.
func TestServePDFFlagsRejected(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"negative instances", []string{"--pdf-instances", "-1"}, nil, "instance"},
		{"env instances", nil, map[string]string{"QRCASCADE_PDF_INSTANCES": "many"}, "QRCASCADE_PDF_INSTANCES"},
		{"env warm", nil, map[string]string{"QRCASCADE_PDF_WARM": "maybe"}, "QRCASCADE_PDF_WARM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := serveWith(context.Background(), append([]string{"--addr", "127.0.0.1:0"}, tc.args...),
				func(k string) string { return tc.env[k] }, &stderr)
			if code != exitFailure || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %d naming %q", code, stderr.String(), exitFailure, tc.want)
			}
		})
	}
}
