package cascade

import (
	"context"
	"errors"
	"testing"

	"github.com/qrcascade/qrcascade/internal/synth"
	"github.com/qrcascade/qrcascade/internal/vocab"
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
		policy    vocab.AfterRead
		wantSkip  bool
		wantModel vocab.Model
	}{
		{"never, failing model unused", clean, failing, vocab.AfterReadNever, false, vocab.ModelClassic},
		{"never on a located unread code", two, failing, vocab.AfterReadNever, false, vocab.ModelClassic},
		{"always, failing model needed", clean, failing, vocab.AfterReadAlways, true, vocab.ModelClassic},
		{"always, nano runs", clean, nano, vocab.AfterReadAlways, false, vocab.ModelNano},
		{"unread (default), clean page: nano skipped", clean, failing, "", false, vocab.ModelClassic},
		{"unread, located unread code: failing model needed", two, failing, vocab.AfterReadUnread, true, vocab.ModelClassic},
		{"unread, located unread code: nano runs", two, nano, vocab.AfterReadUnread, false, vocab.ModelNano},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCascade(t, Config{Mode: vocab.ModeNano, Nano: tc.model, AfterRead: tc.policy})
			out, err := c.Read(context.Background(), tc.scene.Plane)
			if err != nil {
				t.Fatalf("err %v", err)
			}
			// The classic tier read the first code: the outcome's model
			// says so whether nano ran after it or not.
			if out.Model != vocab.ModelClassic {
				t.Errorf("model %q, want %q", out.Model, vocab.ModelClassic)
			}
			if out.AfterRead != (tc.wantModel == vocab.ModelNano || tc.wantSkip) {
				t.Errorf("AfterRead %v, want %v", out.AfterRead, tc.wantModel == vocab.ModelNano || tc.wantSkip)
			}
			if got := len(out.Skipped) == 1 && out.Skipped[0].Model == vocab.ModelNano && out.Skipped[0].Reason == SkipModelUnavailable; got != tc.wantSkip || (!tc.wantSkip && len(out.Skipped) > 0) {
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
	if _, err := New(Config{Mode: vocab.ModeClassic, Classic: tier, AfterRead: "sometimes"}); err == nil {
		t.Fatal("New accepted after-read policy \"sometimes\"")
	}
}
