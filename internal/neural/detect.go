package neural

import (
	"context"
	"fmt"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// Detection is one QR symbol found by the detector.
type Detection struct {
	// Quad holds the symbol's four outer corners in the coordinates of the
	// plane passed to Detect, in cyclic order around the symbol (clockwise on
	// screen). Which corner comes first is arbitrary: the detector does not
	// see orientation, the finder patterns tell it later.
	Quad geom.Quad
	// Score is the centre-heatmap probability, in (0, 1).
	Score float32
}

// DetectOptions tunes Detect. The zero value gives the defaults.
type DetectOptions struct {
	// InputSize is the long side, in pixels, the plane is resized to before
	// the network runs. Zero means the model's training size (Info.InputSize).
	// Larger finds smaller codes and costs time quadratically.
	InputSize int
	// Threshold is the minimum centre probability of a detection.
	// Zero means 0.3; lower finds more codes and more false positives.
	Threshold float32
	// SnapThreshold is the minimum corner-heatmap probability a corner snaps
	// to. Zero means 0.2.
	SnapThreshold float32
	// NMSIoU is the bounding-box IoU above which the weaker of two
	// detections is dropped. Zero means 0.3.
	NMSIoU float32
	// MaxDetections caps the number of detections. Zero means 32.
	MaxDetections int
}

func (o DetectOptions) withDefaults(info Info) DetectOptions {
	if o.InputSize <= 0 {
		o.InputSize = info.InputSize
	}
	if o.Threshold <= 0 || o.Threshold >= 1 {
		o.Threshold = 0.3
	}
	if o.SnapThreshold <= 0 || o.SnapThreshold >= 1 {
		o.SnapThreshold = 0.2
	}
	if o.NMSIoU <= 0 {
		o.NMSIoU = 0.3
	}
	if o.MaxDetections <= 0 {
		o.MaxDetections = 32
	}
	return o
}

// Detect finds QR symbols in p with the default options. See DetectWith.
func (m *Model) Detect(ctx context.Context, p *gray.Plane) ([]Detection, error) {
	return m.DetectWith(ctx, p, DetectOptions{})
}

// DetectWith resizes p (area filter, aspect kept) so its long side is
// opts.InputSize, runs the network and decodes the heatmaps into quads,
// strongest first, in p's pixel coordinates. It reads p and never modifies
// it. When ctx is done it stops between layers and returns ctx's error
// wrapped. An empty plane yields no detections. Safe for concurrent use.
//
// The returned slice is freshly allocated; everything else comes from a
// pooled workspace, so steady-state calls on same-sized inputs allocate only
// the result.
func (m *Model) DetectWith(ctx context.Context, p *gray.Plane, opts DetectOptions) ([]Detection, error) {
	if p == nil || p.W <= 0 || p.H <= 0 {
		return nil, nil
	}
	o := opts.withDefaults(m.info)
	sw, sh, pw, ph, scale := inputSize(p.W, p.H, o.InputSize)
	ws := m.getWorkspace()
	defer m.pool.Put(ws)
	m.plan(ws, ph, pw)
	ws.resize.fill(ws.input, p, sw, sh, pw, ph)
	head, err := m.forward(ctx, ws)
	if err != nil {
		return nil, err
	}
	dets := ws.dec.decode(head, m.info, o)
	if len(dets) == 0 {
		return nil, nil
	}
	out := make([]Detection, len(dets))
	// Map from network-input pixels back to p: the area filter maps input
	// pixel edge u to source edge u·(W/sw).
	fx, fy := float64(p.W)/float64(sw), float64(p.H)/float64(sh)
	_ = scale
	for i, d := range dets {
		for k := range d.Quad {
			d.Quad[k].X *= fx
			d.Quad[k].Y *= fy
		}
		out[i] = d
	}
	return out, nil
}

// forwardInput runs the network on a raw input (values in [0, 1], h×w,
// multiples of 32) and returns a copy of the head tensor. Used by the parity
// test and benchmarks.
func (m *Model) forwardInput(ctx context.Context, in []float32, h, w int) (tensor, error) {
	if h%netAlign != 0 || w%netAlign != 0 || len(in) != h*w {
		return tensor{}, fmt.Errorf("neural: input %d×%d (len %d) not a multiple of %d", h, w, len(in), netAlign)
	}
	ws := m.getWorkspace()
	defer m.pool.Put(ws)
	m.plan(ws, h, w)
	copy(ws.input, in)
	head, err := m.forward(ctx, ws)
	if err != nil {
		return tensor{}, err
	}
	head.data = append([]float32(nil), head.data...)
	return head, nil
}
