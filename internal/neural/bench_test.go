package neural

import (
	"context"
	"fmt"
	"github.com/qrcascade/qrcascade/internal/cputime"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/qrcascade/qrcascade/internal/gray"
)

func loadModelFile(tb testing.TB, path string) *Model {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Skipf("no model: %v", err)
	}
	m, err := Load(b)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func noisePlane(w, h int, seed uint64) *gray.Plane {
	r := rand.New(rand.NewPCG(seed, 1))
	p := gray.New(w, h)
	for i := range p.Pix {
		p.Pix[i] = byte(r.IntN(256))
	}
	return p
}

// BenchmarkDetect measures a full Detect (resize, forward pass, decode) of
// the shipped models at their input sizes, on one goroutine.
func BenchmarkDetect(b *testing.B) {
	for _, tc := range []struct {
		file string
		size int
	}{
		{"../../models/nano.safetensors", 320},
		{"../../models/nano.safetensors", 416},
		{"../../models/large.safetensors", 512},
	} {
		b.Run(fmt.Sprintf("%s/%d", tc.file[len("../../models/"):len(tc.file)-len(".safetensors")], tc.size), func(b *testing.B) {
			m := loadModelFile(b, tc.file)
			p := noisePlane(tc.size, tc.size, 1)
			ctx := context.Background()
			opts := DetectOptions{InputSize: tc.size, Threshold: 0.99}
			if _, err := m.DetectWith(ctx, p, opts); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := m.DetectWith(ctx, p, opts); err != nil {
					b.Fatal(err)
				}
			}
			// On a shared machine wall time depends on the load; the CPU time
			// this process used per call does much less.
			b.ReportMetric(float64(processCPU()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
		})
	}
}

func BenchmarkPointwise(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const cin, cout, hw = 48, 48, 80 * 80
	in, w, bias := randSlice(r, cin*hw), randSlice(r, cin*cout), randSlice(r, cout)
	out := make([]float32, cout*hw)
	scratch := make([]float32, pointwiseScratch(cin))
	b.ReportAllocs()
	b.ResetTimer()
	b.SetBytes(int64(4 * cin * hw))
	for i := 0; i < b.N; i++ {
		pointwise(out, in, w, bias, nil, scratch, cin, cout, hw, true)
	}
}

func BenchmarkDepthwise3x3(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const c, h, w = 48, 80, 80
	in, k, bias := randSlice(r, c*h*w), randSlice(r, c*9), randSlice(r, c)
	out := make([]float32, c*h*w)
	scratch := make([]float32, conv3x3Scratch(h, w, 1))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		depthwise3x3(out, in, k, bias, scratch, c, h, w, h, w, 1, 1, true)
	}
}

// BenchmarkResize4K measures turning a 12 MP photo into the 320-pixel
// network input (area filter), the fixed cost Detect adds for big images.
func BenchmarkResize4K(b *testing.B) {
	p := noisePlane(4000, 3000, 2)
	sw, sh, pw, ph, _ := inputSize(p.W, p.H, 320)
	dst := make([]float32, pw*ph)
	var r resizer
	r.fill(dst, p, sw, sh, pw, ph)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.fill(dst, p, sw, sh, pw, ph)
	}
}

// opClass names the kind of work a node does, for BenchmarkForwardOps.
func opClass(nd *node) string {
	switch {
	case nd.kind == opAdd:
		return "add"
	case nd.kind == opUp2:
		return "up2"
	case nd.k == 1 && nd.res:
		return "pw+res"
	case nd.k == 1:
		return "pw"
	case nd.depthwse && nd.stride == 2:
		return "dw-s2"
	case nd.depthwse:
		return "dw-s1"
	}
	return "stem"
}

// BenchmarkForwardOps runs the nano forward pass at 320×320 node by node
// and reports the CPU time of each class of op (pw: 1×1, pw+res: 1×1 with
// a fused add, dw-s1/dw-s2: depthwise 3×3, stem: full 3×3), to show where
// the time goes. Reading the CPU clock around every node costs a few
// microseconds per node.
func BenchmarkForwardOps(b *testing.B) {
	m := loadModelFile(b, "../../models/nano.safetensors")
	const size = 320
	ws := &workspace{}
	m.plan(ws, size, size)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range ws.input {
		ws.input[i] = r.Float32()
	}
	per := map[string]time.Duration{}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range m.nodes {
			nd := &m.nodes[j]
			t0 := processCPU()
			m.run(ws, nd)
			per[opClass(nd)] += processCPU() - t0
		}
	}
	for name, d := range per {
		b.ReportMetric(float64(d)/1e6/float64(b.N), name+"-ms/op")
	}
}

// processCPU is the process's CPU time (zero where the platform does not
// measure it).
func processCPU() time.Duration {
	d, _ := cputime.Process()
	return d
}
