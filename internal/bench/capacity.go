package bench

import "math"

// Capacity arithmetic.
//
// The steady cost of a mode is its CPU time per image: one core sustains
// 1000 / (CPU ms per image) requests per second. An instance with C cores
// run at a target utilisation U serves C × U × that rate. A daily volume V
// arrives at a mean rate of V / 86 400 per second, and the busiest hour at
// PeakFactor times that mean; the instances needed are the peak rate over
// one instance's rate, rounded up. The memory a container needs is the
// peak RSS measured at the benchmark's concurrency plus a headroom.
//
// This is a first-order estimate: it ignores queueing delay near full
// utilisation (hence U < 1), image-size mixes other than the benchmarked
// one, and the lazy large model's load time in hybrid mode.

// CapacityPlan holds the assumptions of a capacity estimate. The zero value
// is valid; each zero field takes the default it documents.
type CapacityPlan struct {
	// DailyVolume is the images read per day. Zero: 100 000.
	DailyVolume float64 `json:"daily_volume"`
	// PeakFactor is the busiest hour's rate over the mean daily rate.
	// Zero: 3.
	PeakFactor float64 `json:"peak_factor"`
	// Utilisation is the target CPU utilisation of an instance, in (0, 1].
	// Zero: 0.7.
	Utilisation float64 `json:"utilisation"`
	// CoresPerInstance is the CPU cores each instance gets. Zero: 1.
	CoresPerInstance float64 `json:"cores_per_instance"`
	// MemoryHeadroom is the share added to the measured peak RSS for the
	// container's memory limit. Zero: 0.25.
	MemoryHeadroom float64 `json:"memory_headroom"`
}

func (p CapacityPlan) withDefaults() CapacityPlan {
	def := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&p.DailyVolume, 100_000)
	def(&p.PeakFactor, 3)
	def(&p.Utilisation, 0.7)
	def(&p.CoresPerInstance, 1)
	def(&p.MemoryHeadroom, 0.25)
	p.Utilisation = min(p.Utilisation, 1)
	return p
}

// Capacity is one mode's capacity estimate.
type Capacity struct {
	Mode string `json:"mode"`
	// PerCore is the requests per second one fully busy core sustains.
	PerCore float64 `json:"requests_per_second_per_core"`
	// PerInstance is the requests per second one instance serves at the
	// plan's utilisation.
	PerInstance float64 `json:"requests_per_second_per_instance"`
	// PeakRate is the requests per second of the plan's busiest hour.
	PeakRate float64 `json:"peak_requests_per_second"`
	// Instances is how many instances the peak takes (at least 1); 0 when
	// the CPU cost is unknown.
	Instances int `json:"instances"`
	// MemoryLimit is the container memory to ask for, in bytes: peak RSS
	// plus headroom, rounded up to a MiB; 0 when RSS is unknown.
	MemoryLimit uint64 `json:"memory_limit_bytes"`
}

// EstimateCapacity returns the capacity of a mode that costs cpuMS
// milliseconds of CPU per image and peaks at peakRSS bytes, under plan p
// (zero fields take their defaults). A non-positive cpuMS gives zero rates
// and instances; a zero peakRSS a zero memory limit.
func EstimateCapacity(cpuMS float64, peakRSS uint64, p CapacityPlan) Capacity {
	p = p.withDefaults()
	var c Capacity
	c.PeakRate = p.DailyVolume / 86400 * p.PeakFactor
	if cpuMS > 0 {
		c.PerCore = 1000 / cpuMS
		c.PerInstance = c.PerCore * p.CoresPerInstance * p.Utilisation
		c.Instances = max(1, int(math.Ceil(c.PeakRate/c.PerInstance-1e-9)))
	}
	if peakRSS > 0 {
		const mib = 1 << 20
		need := math.Ceil(float64(peakRSS) * (1 + p.MemoryHeadroom) / mib)
		c.MemoryLimit = uint64(need) * mib
	}
	return c
}
