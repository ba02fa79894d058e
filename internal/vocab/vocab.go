// Package vocab declares qrcascade's closed vocabularies once: the modes,
// the tiers, the model names, the fallback reasons and the after-read
// policies. They are values of results, JSON fields and metric labels, so
// every package (classic, cascade, the public API, the server) takes them
// from here and none spells them again. The strategy names are declared
// by the packages that run them: internal/classic (the classic
// strategies) and internal/cascade (the neural tier's decoding paths).
package vocab

// Mode selects the tiers that run.
type Mode string

// Modes.
const (
	ModeClassic Mode = "classic" // classic strategies only
	ModeNano    Mode = "nano"    // classic, then the nano detector
	ModeHybrid  Mode = "hybrid"  // classic, nano, then the large detector when needed
	ModeLarge   Mode = "large"   // classic, then the large detector
)

// Modes returns every mode, cheapest first.
func Modes() []Mode { return []Mode{ModeClassic, ModeNano, ModeHybrid, ModeLarge} }

// Tier names the tier that read a code.
type Tier string

// Tiers.
const (
	TierClassic Tier = "classic" // preprocessing strategies over the QR decoder
	TierNeural  Tier = "neural"  // a detector's candidates, decoded at full resolution
)

// Tiers returns every tier, in the order they run.
func Tiers() []Tier { return []Tier{TierClassic, TierNeural} }

// Model names a stage of the cascade: the classic tier or a detector.
// A code's model is the detector whose candidate it was read from ("" for
// the classic tier); a result's model is the stage that read its first
// code (or the last that ran when none was read).
type Model string

// Models.
const (
	ModelClassic Model = "classic" // the classic tier (no detector)
	ModelNano    Model = "nano"    // the nano detector
	ModelLarge   Model = "large"   // the large detector, in large mode
	// ModelLargeFallback is the large detector run by hybrid mode after
	// nano (the old service's name).
	ModelLargeFallback Model = "large_fallback"
)

// Detectors returns the detector model names (the models that are loaded
// and unloaded).
func Detectors() []Model { return []Model{ModelNano, ModelLarge} }

// Fallback is why hybrid mode ran the large detector.
type Fallback string

// Fallback reasons.
const (
	FallbackNone          Fallback = ""               // large did not run
	FallbackNoRead        Fallback = "no_read"        // nano led to no read
	FallbackLowConfidence Fallback = "low_confidence" // nano's best score under the threshold
	FallbackSmallCode     Fallback = "small_code"     // nano's smallest candidate under the size threshold
)

// Fallbacks returns the reasons large runs for (FallbackNone excluded).
func Fallbacks() []Fallback {
	return []Fallback{FallbackNoRead, FallbackLowConfidence, FallbackSmallCode}
}

// AfterRead is the policy for running the nano detector on a plane where
// the classic tier read codes.
type AfterRead string

// After-read policies.
const (
	// AfterReadUnread runs it when the classic tier located candidates it
	// could not decode away from the codes it read.
	AfterReadUnread AfterRead = "unread"
	// AfterReadAlways runs it after every read.
	AfterReadAlways AfterRead = "always"
	// AfterReadNever runs the detectors only when the classic tier read
	// nothing.
	AfterReadNever AfterRead = "never"
)

// AfterReads returns every after-read policy, the default first.
func AfterReads() []AfterRead { return []AfterRead{AfterReadUnread, AfterReadAlways, AfterReadNever} }
