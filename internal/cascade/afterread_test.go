package cascade

import (
	"context"
	"errors"
	"github.com/qrcascade/qrcascade/internal/vocab"
	"testing"

	"github.com/qrcascade/qrcascade/internal/synth"
	"github.com/qrcascade/qrcascade/models"
)

// TestAfterRead: the after-read policies decide whether the nano detector
// runs once the classic tier has read a code (a model that cannot load is
// then an error): never, always, or only when the classic tier located a
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
		name     string
		scene    *synth.Scene
		model    *LazyModel
		policy   vocab.AfterRead
		wantErr  bool
		wantNano bool // the nano detector ran after the read
	}{
		{"never, failing model unused", clean, failing, vocab.AfterReadNever, false, false},
		{"never on a located unread code", two, failing, vocab.AfterReadNever, false, false},
		{"always, failing model needed", clean, failing, vocab.AfterReadAlways, true, true},
		{"always, nano runs", clean, nano, vocab.AfterReadAlways, false, true},
		{"unread (default), clean page: nano skipped", clean, failing, "", false, false},
		{"unread, located unread code: failing model needed", two, failing, vocab.AfterReadUnread, true, true},
		{"unread, located unread code: nano runs", two, nano, vocab.AfterReadUnread, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCascade(t, Config{Mode: vocab.ModeNano, Nano: tc.model, AfterRead: tc.policy})
			out, err := c.Read(context.Background(), tc.scene.Plane)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			// The classic tier read the first code: the outcome's model
			// says so whether nano ran after it or not.
			if out.Model != vocab.ModelClassic {
				t.Errorf("model %q, want %q", out.Model, vocab.ModelClassic)
			}
			if out.AfterRead != tc.wantNano {
				t.Errorf("AfterRead %v, want %v", out.AfterRead, tc.wantNano)
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
