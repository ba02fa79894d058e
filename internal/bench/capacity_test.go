package bench

import (
	"math"
	"testing"
)

func TestEstimateCapacity(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name      string
		cpuMS     float64
		rss       uint64
		plan      CapacityPlan
		perCore   float64
		perInst   float64
		peak      float64
		instances int
		memory    uint64
	}{
		// 100 000/day × 3 / 86 400 = 3.47 req/s; 10 ms → 100/core, 70/instance.
		{"defaults, cheap", 10, 40 * mib, CapacityPlan{}, 100, 70, 100000 * 3.0 / 86400, 1, 50 * mib},
		// 1 000 000/day × 3 = 34.7 req/s; 100 ms → 10/core, 7/instance → 5 instances (4.96).
		{"one million a day", 100, 100 * mib, CapacityPlan{DailyVolume: 1e6}, 10, 7, 1e6 * 3 / 86400, 5, 125 * mib},
		// 2 cores, full use, no peak: 864 000/day = 10 req/s; 200 ms → 5/core,
		// 10/instance → exactly 1 instance (no rounding up past an exact fit).
		{"exact fit", 200, 0, CapacityPlan{DailyVolume: 864000, PeakFactor: 1, Utilisation: 1, CoresPerInstance: 2}, 5, 10, 10, 1, 0},
		// One more request a day tips it over.
		{"just over", 200, 0, CapacityPlan{DailyVolume: 864000 + 8640, PeakFactor: 1, Utilisation: 1, CoresPerInstance: 2}, 5, 10, 10.1, 2, 0},
		// Utilisation above 1 is clamped to 1.
		{"utilisation clamped", 100, 0, CapacityPlan{DailyVolume: 86400, PeakFactor: 1, Utilisation: 3}, 10, 10, 1, 1, 0},
		// Memory rounds up to a whole MiB: 10.5 MiB × 1.5 = 15.75 → 16 MiB.
		{"memory rounding", 0, 21 * mib / 2, CapacityPlan{MemoryHeadroom: 0.5}, 0, 0, 100000 * 3.0 / 86400, 0, 16 * mib},
		{"unknown CPU cost", 0, 0, CapacityPlan{}, 0, 0, 100000 * 3.0 / 86400, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := EstimateCapacity(tc.cpuMS, tc.rss, tc.plan)
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
			if !near(c.PerCore, tc.perCore) || !near(c.PerInstance, tc.perInst) || !near(c.PeakRate, tc.peak) ||
				c.Instances != tc.instances || c.MemoryLimit != tc.memory {
				t.Errorf("got %+v\nwant per core %v, per instance %v, peak %v, instances %d, memory %d",
					c, tc.perCore, tc.perInst, tc.peak, tc.instances, tc.memory)
			}
		})
	}
}
