package cascade

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qrcascade/qrcascade/internal/neural"
)

// ErrOverBudget is returned when loading a model would exceed the memory
// budget.
var ErrOverBudget = errors.New("cascade: loading the model would exceed the memory budget")

// LazyModel holds one detector that is loaded on first use and, with an idle
// TTL, unloaded after that long without use (its memory is then returned to
// the operating system). Loading happens once even under concurrent callers.
// It is safe for concurrent use.
type LazyModel struct {
	name    string
	load    func() ([]byte, error)
	idleTTL time.Duration
	budget  func(modelBytes int) error // nil: no budget

	mu      sync.Mutex
	model   *neural.Model
	lastUse time.Time
	timer   *time.Timer
	closed  bool

	loads, unloads, refusals atomic.Uint64
	lastLoad                 atomic.Int64 // duration of the last load, ns
}

// NewLazyModel returns a LazyModel named name whose weights come from load.
// idleTTL ≤ 0 keeps the model once loaded. budget, when not nil, is asked
// before each load with the size of the weights file and refuses the load by
// returning an error (wrapped with ErrOverBudget).
func NewLazyModel(name string, load func() ([]byte, error), idleTTL time.Duration, budget func(modelBytes int) error) *LazyModel {
	return &LazyModel{name: name, load: load, idleTTL: idleTTL, budget: budget}
}

// Name returns the model's name ("nano", "large").
func (l *LazyModel) Name() string { return l.name }

// Get returns the model, loading it first if needed, and marks it used.
// The returned model stays valid for the caller even if it is unloaded
// meanwhile (unloading only drops this holder's reference).
func (l *LazyModel) Get() (*neural.Model, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, fmt.Errorf("cascade: model %s: closed", l.name)
	}
	l.lastUse = time.Now()
	if l.model != nil {
		return l.model, nil
	}
	start := time.Now()
	b, err := l.load()
	if err != nil {
		return nil, fmt.Errorf("cascade: model %s: %w", l.name, err)
	}
	if l.budget != nil {
		if err := l.budget(len(b)); err != nil {
			l.refusals.Add(1)
			return nil, fmt.Errorf("cascade: model %s: %w: %v", l.name, ErrOverBudget, err)
		}
	}
	m, err := neural.Load(b)
	if err != nil {
		return nil, fmt.Errorf("cascade: model %s: %w", l.name, err)
	}
	l.model = m
	l.loads.Add(1)
	l.lastLoad.Store(int64(time.Since(start)))
	if l.idleTTL > 0 {
		if l.timer == nil {
			l.timer = time.AfterFunc(l.idleTTL, l.unloadIfIdle)
		} else {
			l.timer.Reset(l.idleTTL)
		}
	}
	return m, nil
}

// unloadIfIdle runs from the idle timer: it unloads the model when it was
// not used for the TTL, else re-arms the timer for the remaining time.
func (l *LazyModel) unloadIfIdle() {
	l.mu.Lock()
	if l.model == nil || l.closed {
		l.mu.Unlock()
		return
	}
	if idle := time.Since(l.lastUse); idle < l.idleTTL {
		l.timer.Reset(l.idleTTL - idle)
		l.mu.Unlock()
		return
	}
	l.model = nil
	l.unloads.Add(1)
	l.mu.Unlock()
	// Return the weights' and workspaces' memory to the OS now rather than
	// at the runtime's leisure: the point of unloading is a smaller RSS.
	debug.FreeOSMemory()
}

// Loaded reports whether the weights are in memory.
func (l *LazyModel) Loaded() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.model != nil
}

// Loads returns how many times the model was loaded.
func (l *LazyModel) Loads() uint64 { return l.loads.Load() }

// Unloads returns how many times the model was unloaded after its idle TTL.
func (l *LazyModel) Unloads() uint64 { return l.unloads.Load() }

// Refusals returns how many loads the memory budget refused.
func (l *LazyModel) Refusals() uint64 { return l.refusals.Load() }

// LastLoad returns the duration of the last load (0 before the first).
func (l *LazyModel) LastLoad() time.Duration { return time.Duration(l.lastLoad.Load()) }

// Close stops the idle timer and drops the model; Get fails afterwards.
func (l *LazyModel) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.timer != nil {
		l.timer.Stop()
	}
	l.model = nil
}
