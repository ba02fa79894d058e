package qrcascade

import (
	"github.com/qrcascade/qrcascade/internal/cascade"
	"github.com/qrcascade/qrcascade/internal/classic"
	"github.com/qrcascade/qrcascade/internal/vocab"
)

// The closed vocabularies of results, JSON fields and metric labels. Their
// values are declared once, in the packages that use them, and named here
// for the public API.

// Mode selects the tiers that run. A neural mode is available when this
// build embeds its models (see Models.Available): nano needs the nano
// model, large the large one, hybrid both.
type Mode string

// Modes, cheapest first.
const (
	ModeClassic Mode = Mode(vocab.ModeClassic) // "classic": classic strategies only
	ModeNano    Mode = Mode(vocab.ModeNano)    // "nano": classic, then the nano detector (the default)
	ModeHybrid  Mode = Mode(vocab.ModeHybrid)  // "hybrid": classic, nano, then the large detector when needed
	ModeLarge   Mode = Mode(vocab.ModeLarge)   // "large": classic, then the large detector
)

// Modes returns every mode, cheapest first.
func Modes() []Mode { return convert[Mode](vocab.Modes()) }

// Tier names the tier that read a code.
type Tier string

// Tiers.
const (
	TierClassic Tier = Tier(vocab.TierClassic) // "classic": preprocessing strategies over the QR decoder
	TierNeural  Tier = Tier(vocab.TierNeural)  // "neural": a detector's candidates, decoded at full resolution
)

// Tiers returns every tier, in the order they run.
func Tiers() []Tier { return convert[Tier](vocab.Tiers()) }

// Model names a stage of the cascade: the classic tier or a detector (see
// Result.Model and Code.Model).
type Model string

// Models.
const (
	ModelClassic       Model = Model(vocab.ModelClassic)       // "classic": the classic tier
	ModelNano          Model = Model(vocab.ModelNano)          // "nano": the nano detector
	ModelLarge         Model = Model(vocab.ModelLarge)         // "large": the large detector
	ModelLargeFallback Model = Model(vocab.ModelLargeFallback) // "large_fallback": the large detector run by hybrid mode after nano
)

// Detectors returns the detector models, ModelNano and ModelLarge.
func Detectors() []Model { return convert[Model](vocab.Detectors()) }

// Fallback is why hybrid mode ran the large detector (Result.Fallback).
type Fallback string

// Fallback reasons.
const (
	FallbackNone          Fallback = Fallback(vocab.FallbackNone)          // "": the large detector did not run
	FallbackNoRead        Fallback = Fallback(vocab.FallbackNoRead)        // "no_read": nano led to no read and none of its candidates scored over the confidence threshold
	FallbackLowConfidence Fallback = Fallback(vocab.FallbackLowConfidence) // "low_confidence": nano's best score under the threshold
	FallbackSmallCode     Fallback = Fallback(vocab.FallbackSmallCode)     // "small_code": nano's smallest candidate under the size threshold
)

// Fallbacks returns every reason the large detector runs for
// (FallbackNone excluded).
func Fallbacks() []Fallback { return convert[Fallback](vocab.Fallbacks()) }

// AfterRead is the policy for running the nano detector, in nano and
// hybrid modes, on images where the classic tier read codes
// (Options.AfterRead).
type AfterRead string

// After-read policies.
const (
	// AfterReadUnread, "unread" (the default), runs it when the classic tier located
	// a candidate it could not decode away from its reads: pages and
	// photos with several codes of which it read only some.
	AfterReadUnread AfterRead = AfterRead(vocab.AfterReadUnread)
	// AfterReadAlways, "always", runs it after every read.
	AfterReadAlways AfterRead = AfterRead(vocab.AfterReadAlways)
	// AfterReadNever, "never", never does: images the classic tier reads then cost
	// exactly what they cost in classic mode.
	AfterReadNever AfterRead = AfterRead(vocab.AfterReadNever)
)

// Strategy names a decoding path: a classic strategy (a preprocessing of
// the image before the QR decoder) or one of the neural tier's ways of
// decoding a detector's candidate.
type Strategy string

// Strategies returns the classic strategies run by default, in order.
func Strategies() []Strategy { return convert[Strategy](classic.DefaultOrder()) }

// AllStrategies returns every classic strategy Options.Strategies accepts
// (the default ones and those run only when named).
func AllStrategies() []Strategy { return convert[Strategy](classic.Names()) }

// NeuralStrategies returns the Code.Strategy values of neural reads:
// "quad" (the locator on the detector's quad), "crop_" + a classic
// strategy (the rectified crop), "quad_retry" (the locator on a turned or
// enlarged quad).
func NeuralStrategies() []Strategy { return convert[Strategy](cascade.NeuralStrategies()) }

// convert converts a vocabulary's values to their public type.
func convert[T, S ~string](in []S) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = T(v)
	}
	return out
}
