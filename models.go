package qrcascade

import (
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/qrcascade/qrcascade/internal/cascade"
	"github.com/qrcascade/qrcascade/models"
)

// ModelOptions configures the neural detectors' lifecycle. The zero value is
// valid: nano stays loaded once used, large unloads after 10 minutes idle,
// no memory budget.
type ModelOptions struct {
	// LargeIdleTTL unloads the large model after this long without use.
	// Zero: 10 minutes; negative: never.
	LargeIdleTTL time.Duration
	// NanoIdleTTL unloads the nano model after this long without use.
	// Zero or negative: never (nano is small and always cheap).
	NanoIdleTTL time.Duration
	// NoLargeStandIn, when no large model is embedded, leaves the hybrid
	// and large modes unavailable instead of running the nano weights at
	// StandInInputSize as the large detector. Default false.
	NoLargeStandIn bool
	// MemoryBudget, when positive, refuses to load a model when the Go
	// runtime's memory plus about four times the weights' size (weights and
	// inference buffers) would exceed it, in bytes. Zero: no budget.
	MemoryBudget int64
}

// Models holds the lazily loaded detectors. Share one Models between the
// Readers of a process (Options.Models) so each model is loaded once. It is
// safe for concurrent use.
type Models struct {
	nano, large *cascade.LazyModel
	// largeInput is the input size the large detector runs at; zero: the
	// model's own. Set for the stand-in.
	largeInput int
}

// StandInInputSize is the input size (long side, pixels) the nano weights
// run at when they stand in for a large model that this build does not
// embed: four times the pixels of nano's 320, so a code a quarter the size
// still covers as many input pixels as nano needs. See models/MODEL_CARD.md.
const StandInInputSize = 640

// NewModels returns the detectors embedded in this build, not yet loaded.
func NewModels(o ModelOptions) *Models {
	ttl := o.LargeIdleTTL
	if ttl == 0 {
		ttl = 10 * time.Minute
	}
	var budget func(int) error
	if o.MemoryBudget > 0 {
		budget = func(n int) error {
			used := goMemory()
			if need := used + 4*uint64(n); need > uint64(o.MemoryBudget) {
				return fmt.Errorf("%d bytes in use + %d for the model > budget %d", used, 4*n, o.MemoryBudget)
			}
			return nil
		}
	}
	m := &Models{}
	nano, large := string(ModelNano), string(ModelLarge)
	if models.Available(nano) {
		m.nano = cascade.NewLazyModel(nano, func() ([]byte, error) { return models.Load(nano) }, o.NanoIdleTTL, budget)
	}
	switch {
	case models.Available(large):
		m.large = cascade.NewLazyModel(large, func() ([]byte, error) { return models.Load(large) }, ttl, budget)
	case models.Available(nano) && !o.NoLargeStandIn:
		m.large = cascade.NewLazyModel(large, func() ([]byte, error) { return models.Load(nano) }, ttl, budget)
		m.largeInput = StandInInputSize
	}
	return m
}

// goMemory returns the memory the Go runtime holds from the OS.
func goMemory() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func (m *Models) lazy(name Model) *cascade.LazyModel {
	if m == nil {
		return nil
	}
	switch name {
	case ModelNano:
		return m.nano
	case ModelLarge:
		return m.large
	}
	return nil
}

// LargeIsStandIn reports whether the large detector is the nano network
// run at StandInInputSize because this build embeds no large model.
func (m *Models) LargeIsStandIn() bool { return m != nil && m.large != nil && m.largeInput > 0 }

// Available reports whether the named model is part of this build.
func (m *Models) Available(name Model) bool { return m.lazy(name) != nil }

// Load loads the named model now (for eager loading at start-up).
func (m *Models) Load(name Model) error {
	l := m.lazy(name)
	if l == nil {
		return fmt.Errorf("%w: model %s", ErrModeUnavailable, name)
	}
	_, err := l.Get()
	return err
}

// ModelLoaded reports whether the named model's weights are in memory.
func (m *Models) ModelLoaded(name Model) bool {
	l := m.lazy(name)
	return l != nil && l.Loaded()
}

// ModelLoads returns how many times the named model was loaded.
func (m *Models) ModelLoads(name Model) uint64 {
	if l := m.lazy(name); l != nil {
		return l.Loads()
	}
	return 0
}

// ModelUnloads returns how many times the named model was unloaded after
// its idle TTL.
func (m *Models) ModelUnloads(name Model) uint64 {
	if l := m.lazy(name); l != nil {
		return l.Unloads()
	}
	return 0
}

// Close unloads the models and stops their idle timers.
func (m *Models) Close() {
	for _, l := range []*cascade.LazyModel{m.nano, m.large} {
		if l != nil {
			l.Close()
		}
	}
}
