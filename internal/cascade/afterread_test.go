package cascade

import (
	"context"
	"errors"
	"testing"

	"qrcascade/internal/synth"
	"qrcascade/models"
)

// TestDetectAfterRead: with DetectAfterRead the nano detector runs after a
// classic read (a model that cannot load is then an error), its candidates
// on the code already read are not decoded again, and without the option
// nothing changes.
func TestDetectAfterRead(t *testing.T) {
	failing := NewLazyModel("nano", func() ([]byte, error) { return nil, errors.New("disk on fire") }, 0, nil)
	nano := NewLazyModel("nano", func() ([]byte, error) { return models.Load("nano") }, 0, nil)
	defer nano.Close()
	clean := synth.CleanInvoice(1)
	tests := []struct {
		name      string
		model     *LazyModel
		after     bool
		wantErr   bool
		wantModel string
	}{
		{"off, failing model unused", failing, false, false, ModelClassic},
		{"on, failing model needed", failing, true, true, ModelNano},
		{"on, nano runs", nano, true, false, ModelNano},
		{"off, nano skipped", nano, false, false, ModelClassic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCascade(t, Config{Mode: ModeNano, Nano: tc.model, DetectAfterRead: tc.after})
			out, err := c.Read(context.Background(), clean.Plane)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if out.Model != tc.wantModel {
				t.Errorf("model %q, want %q", out.Model, tc.wantModel)
			}
			if len(out.Codes) != 1 || out.Codes[0].Tier != "classic" || out.Codes[0].Text != clean.Codes[0].Text {
				t.Errorf("codes %+v, want the one classic read", out.Codes)
			}
		})
	}
}
