package neural

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/qrcascade/qrcascade/internal/geom"
	"github.com/qrcascade/qrcascade/internal/gray"
)

// headWith builds a 10×gh×gw head tensor with every logit at -10 (nothing
// there), then puts a centre peak at cell (ci, cj) whose offsets point at
// quad q, and, when corners is set, corner peaks at cells near q's corners
// shifted by (sx, sy) pixels.
func headWith(gh, gw int, peaks []struct {
	ci, cj int
	logit  float32
	q      geom.Quad
}, corners []geom.Point) tensor {
	n := gh * gw
	t := tensor{c: 10, h: gh, w: gw, data: make([]float32, 10*n)}
	for i := range n {
		t.data[i] = -10
		t.data[9*n+i] = -10
	}
	for _, p := range peaks {
		t.data[p.ci*gw+p.cj] = p.logit
		cx, cy := (float64(p.cj)+0.5)*4, (float64(p.ci)+0.5)*4
		for k := 0; k < 4; k++ {
			t.data[(1+2*k)*n+p.ci*gw+p.cj] = float32((p.q[k].X - cx) / 32)
			t.data[(2+2*k)*n+p.ci*gw+p.cj] = float32((p.q[k].Y - cy) / 32)
		}
	}
	for _, c := range corners {
		t.data[9*n+int(c.Y/4)*gw+int(c.X/4)] = 5
	}
	return t
}

func quadDist(a, b geom.Quad) float64 {
	var m float64
	for k := range a {
		m = math.Max(m, a[k].Dist(b[k]))
	}
	return m
}

func TestDecode(t *testing.T) {
	info := Info{Stride: 4, OffsetScale: 32}
	opts := DetectOptions{}.withDefaults(info)
	type peak = struct {
		ci, cj int
		logit  float32
		q      geom.Quad
	}
	small := quad(40, 40, 48, 40, 48, 48, 40, 48)
	sq := quad(40, 40, 80, 40, 80, 80, 40, 80) // centre (60,60): cell (14,14)
	tilted := quad(60, 30, 92, 62, 60, 94, 28, 62)
	// corner peaks at the cells holding the tilted quad's corners: the snapped
	// corners are those cells' centres.
	tiltedCells := quad(62, 30, 94, 62, 62, 94, 30, 62)
	for _, tc := range []struct {
		name    string
		peaks   []peak
		corners []geom.Point
		want    []geom.Quad
		tol     float64
	}{
		{"nothing", nil, nil, nil, 0},
		{"below threshold", []peak{{14, 14, logit(0.2), sq}}, nil, nil, 0},
		{"regressed corners only", []peak{{14, 14, 2, sq}}, nil, []geom.Quad{sq}, 1e-4},
		{"snapped to corner peaks", []peak{{15, 15, 2, tilted}}, tiltedCells[:], []geom.Quad{tiltedCells}, 1e-3},
		{"one corner peak moves one corner", []peak{{14, 14, 2, sq}}, []geom.Point{pt(41, 41)},
			[]geom.Quad{{pt(42, 42), sq[1], sq[2], sq[3]}}, 1e-2},
		{"snap rejected when corners share a peak", []peak{{11, 11, 2, small}}, []geom.Point{pt(45, 45)}, []geom.Quad{small}, 1e-4},
		{"nms keeps the stronger", []peak{{14, 14, 1, sq}, {14, 16, 3, sq}}, nil, []geom.Quad{sq}, 1e-4},
		{"two codes", []peak{{14, 14, 2, sq}, {14, 40, 2, quad(140, 40, 180, 40, 180, 80, 140, 80)}}, nil,
			[]geom.Quad{sq, quad(140, 40, 180, 40, 180, 80, 140, 80)}, 1e-4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d decoder
			got := d.decode(headWith(32, 48, tc.peaks, tc.corners), info, opts)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d detections %v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				if e := quadDist(got[i].Quad, w); e > tc.tol {
					t.Errorf("detection %d = %v, want %v (max corner error %.3g)", i, got[i].Quad, w, e)
				}
				if got[i].Score <= 0.3 || got[i].Score >= 1 {
					t.Errorf("score %v out of (0.3, 1)", got[i].Score)
				}
			}
		})
	}
}

func TestResizerKeepsMeanAndPads(t *testing.T) {
	for _, tc := range []struct {
		name        string
		w, h, long  int
		wantW, padW int
		wantH, padH int
	}{
		{"down 2x", 640, 480, 320, 320, 320, 240, 256},
		{"down odd", 1001, 333, 320, 320, 320, 106, 128},
		{"up", 100, 60, 320, 320, 320, 192, 192},
		{"tall", 50, 4000, 320, 4, 32, 320, 320},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := gray.New(tc.w, tc.h)
			// left half 200, right half 40: the mean of each half survives.
			for y := 0; y < tc.h; y++ {
				for x := 0; x < tc.w; x++ {
					p.Pix[y*tc.w+x] = 40
					if x < tc.w/2 {
						p.Pix[y*tc.w+x] = 200
					}
				}
			}
			sw, sh, pw, ph, _ := inputSize(tc.w, tc.h, tc.long)
			if sw != tc.wantW || sh != tc.wantH || pw != tc.padW || ph != tc.padH {
				t.Fatalf("inputSize = %d×%d padded %d×%d, want %d×%d padded %d×%d", sw, sh, pw, ph, tc.wantW, tc.wantH, tc.padW, tc.padH)
			}
			var r resizer
			dst := make([]float32, pw*ph)
			r.fill(dst, p, sw, sh, pw, ph)
			var sum float64
			for y := 0; y < sh; y++ {
				for x := 0; x < sw; x++ {
					sum += float64(dst[y*pw+x])
				}
			}
			srcMean := (200*float64(tc.w/2) + 40*float64(tc.w-tc.w/2)) / float64(tc.w) / 255
			if m := sum / float64(sw*sh); math.Abs(m-srcMean) > 0.01 {
				t.Errorf("mean %.4f, want %.4f", m, srcMean)
			}
			if v := dst[0]; math.Abs(float64(v)-200.0/255) > 1e-5 {
				t.Errorf("top-left %.4f, want %.4f", v, 200.0/255)
			}
			// padding replicates the last column and row
			if dst[(ph-1)*pw+pw-1] != dst[(sh-1)*pw+sw-1] {
				t.Errorf("padding %v, want edge value %v", dst[(ph-1)*pw+pw-1], dst[(sh-1)*pw+sw-1])
			}
		})
	}
}

func TestDetectReusesBuffers(t *testing.T) {
	b, err := os.ReadFile("testdata/tiny.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	p := noisePlane(200, 120, 7)
	ctx := context.Background()
	opts := DetectOptions{Threshold: 0.99}
	if _, err := m.DetectWith(ctx, p, opts); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { m.DetectWith(ctx, p, opts) }); n != 0 {
		t.Errorf("DetectWith allocates %v times per call after warm-up, want 0", n)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.DetectWith(cctx, p, opts); err == nil {
		t.Error("DetectWith with a cancelled context returned no error")
	}
	if d, err := m.Detect(ctx, &gray.Plane{}); d != nil || err != nil {
		t.Errorf("empty plane: %v, %v", d, err)
	}
}

func pt(x, y float64) geom.Point { return geom.Point{X: x, Y: y} }

func quad(x0, y0, x1, y1, x2, y2, x3, y3 float64) geom.Quad {
	return geom.Quad{pt(x0, y0), pt(x1, y1), pt(x2, y2), pt(x3, y3)}
}
