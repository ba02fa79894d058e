package cascade

import (
	"context"
	"errors"
	"testing"

	"github.com/qrcascade/qrcascade/internal/synth"
	"github.com/qrcascade/qrcascade/models"
)

// TestAfterRead: the after-read policies decide whether the nano detector
// runs once the classic tier has read a code (a model that cannot load is
// then listed as skipped, and the classic read is kept): never, always, or only when the classic tier located a
// candidate it could not decode (a clean single-code page: no; two codes
// of which one is wiped in its middle: yes). Candidates on the code already
// read are not decoded again.
func TestAfterRead(t *testing.T) {
	failing := NewLazyModel("nano", func() ([]byte, error) { return nil, errors.New("disk on fire") }, 0, nil)
	nano := NewLazyModel("nano", func() ([]byte, error) { return models.Load("nano") }, 0, nil)
	defer nano.Close()
	clean := synth.CleanInvoice(1)
	two := synth.TwoCodes(true)
	tests := []struct {
		name      string
		scene     *synth.Scene
		model     *LazyModel
		policy    AfterRead
		wantSkip  bool
		wantModel string
	}{
		{"never, failing model unused", clean, failing, AfterReadNever, false, ModelClassic},
		{"never on a located unread code", two, failing, AfterReadNever, false, ModelClassic},
		{"always, failing model needed", clean, failing, AfterReadAlways, true, ModelClassic},
		{"always, nano runs", clean, nano, AfterReadAlways, false, ModelNano},
		{"unread (default), clean page: nano skipped", clean, failing, "", false, ModelClassic},
		{"unread, located unread code: failing model needed", two, failing, AfterReadUnread, true, ModelClassic},
		{"unread, located unread code: nano runs", two, nano, AfterReadUnread, false, ModelNano},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCascade(t, Config{Mode: ModeNano, Nano: tc.model, AfterRead: tc.policy})
			out, err := c.Read(context.Background(), tc.scene.Plane)
			if err != nil {
				t.Fatalf("err %v", err)
			}
			if out.Model != tc.wantModel {
				t.Errorf("model %q, want %q", out.Model, tc.wantModel)
			}
			if out.AfterRead != (tc.wantModel == ModelNano || tc.wantSkip) {
				t.Errorf("AfterRead %v, want %v", out.AfterRead, tc.wantModel == ModelNano || tc.wantSkip)
			}
			if got := len(out.Skipped) == 1 && out.Skipped[0].Model == ModelNano && out.Skipped[0].Reason == SkipModelUnavailable; got != tc.wantSkip || (!tc.wantSkip && len(out.Skipped) > 0) {
				t.Errorf("skipped %+v, want skip %v", out.Skipped, tc.wantSkip)
			}
			if len(out.Codes) != 1 || out.Codes[0].Tier != "classic" || out.Codes[0].Text != tc.scene.Codes[0].Text {
				t.Errorf("codes %+v, want the one classic read", out.Codes)
			}
		})
	}
}

// TestAfterReadPolicyValidated: New refuses an unknown policy.
func TestAfterReadPolicyValidated(t *testing.T) {
	tier := newTestCascade(t, Config{}).cfg.Classic
	if _, err := New(Config{Mode: ModeClassic, Classic: tier, AfterRead: "sometimes"}); err == nil {
		t.Fatal("New accepted after-read policy \"sometimes\"")
	}
}
