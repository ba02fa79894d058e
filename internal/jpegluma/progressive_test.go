package jpegluma

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// Progressive scripts besides libjpeg's (scriptGray, scriptColour).
var (
	// scriptSpectral: spectral selection only (every Al = 0), odd bands.
	scriptSpectral = []testScan{
		{[]int{0}, 0, 0, 0, 0},
		{[]int{0}, 1, 1, 0, 0},
		{[]int{0}, 2, 9, 0, 0},
		{[]int{0}, 10, 63, 0, 0},
	}
	// scriptApprox: successive approximation only, three refinement
	// stages of the whole AC band.
	scriptApprox = []testScan{
		{[]int{0}, 0, 0, 0, 3},
		{[]int{0}, 1, 63, 0, 3},
		{[]int{0}, 0, 0, 3, 2},
		{[]int{0}, 1, 63, 3, 2},
		{[]int{0}, 1, 63, 2, 1},
		{[]int{0}, 0, 0, 2, 1},
		{[]int{0}, 0, 0, 1, 0},
		{[]int{0}, 1, 63, 1, 0},
	}
	// scriptDCOnly stops after the first DC scan: a frame that a sender
	// cut short after its first scan.
	scriptDCOnly = []testScan{{[]int{0}, 0, 0, 0, 1}}
)

// colourScript returns script with component 0 replaced by the three
// components in DC scans and each AC scan repeated for the chroma ones.
func colourScript(script []testScan) []testScan {
	var out []testScan
	for _, s := range script {
		if s.ss == 0 {
			s.comps = []int{0, 1, 2}
			out = append(out, s)
			continue
		}
		for i := range 3 {
			c := s
			c.comps = []int{i}
			out = append(out, c)
		}
	}
	return out
}

// TestDecodeProgressive writes progressive frames with the test encoder
// (gray and colour, libjpeg's scan script and others, with and without
// restart intervals) and requires image/jpeg's luma plane, exactly.
func TestDecodeProgressive(t *testing.T) {
	type layout struct {
		name   string
		yh, yv int
		ch, cv int // 0: gray
		ri     int
		script []testScan
	}
	var cases []layout
	for _, ri := range []int{0, 1, 3, 7} {
		cases = append(cases,
			layout{"gray-libjpeg", 1, 1, 0, 0, ri, scriptGray},
			layout{"gray-declared-2x2", 2, 2, 0, 0, ri, scriptGray},
			layout{"444-libjpeg", 1, 1, 1, 1, ri, scriptColour},
		)
	}
	for _, s := range []struct {
		name           string
		yh, yv, ch, cv int
	}{{"420", 2, 2, 1, 1}, {"422", 2, 1, 1, 1}, {"440", 1, 2, 1, 1}, {"411", 4, 1, 1, 1}} {
		cases = append(cases,
			layout{s.name + "-libjpeg", s.yh, s.yv, s.ch, s.cv, 0, scriptColour},
			layout{s.name + "-spectral", s.yh, s.yv, s.ch, s.cv, 0, colourScript(scriptSpectral)},
			layout{s.name + "-approx", s.yh, s.yv, s.ch, s.cv, 0, colourScript(scriptApprox)},
			layout{s.name + "-dc-only", s.yh, s.yv, s.ch, s.cv, 0, colourScript(scriptDCOnly)},
		)
	}
	for _, ri := range []int{0, 2} {
		cases = append(cases,
			layout{"gray-spectral", 1, 1, 0, 0, ri, scriptSpectral},
			layout{"gray-approx", 1, 1, 0, 0, ri, scriptApprox},
			layout{"gray-dc-only", 1, 1, 0, 0, ri, scriptDCOnly},
		)
	}
	sizes := [][2]int{{1, 1}, {8, 8}, {17, 9}, {77, 45}, {140, 133}}
	for _, c := range cases {
		for _, sz := range sizes {
			name := fmt.Sprintf("%s-ri%d-%dx%d", c.name, c.ri, sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				src := planeOf(grayPattern(sz[0], sz[1], uint64(sz[0]+c.ri)))
				f := rawFrame{w: src.W, h: src.H, ri: c.ri, prog: c.script,
					comps: []rawComp{lumaComp(src, c.yh, c.yv)}}
				if c.ch > 0 {
					f.comps = append(f.comps, chromaComps(c.ch, c.cv)...)
				}
				data := writeJPEG(f)
				if _, err := Decode(data, nil); err != nil {
					t.Fatal(err)
				}
				checkSame(t, data)
			})
		}
	}
}

// TestDecodeProgressiveSequentialAgree checks the encoder and decoder
// against each other without image/jpeg: the same luma coefficients sent
// progressively (any script that completes every bit) and sequentially give
// the same plane.
func TestDecodeProgressiveSequentialAgree(t *testing.T) {
	src := planeOf(grayPattern(93, 71, 4))
	comps := append([]rawComp{lumaComp(src, 2, 2)}, chromaComps(1, 1)...)
	seq, err := Decode(writeJPEG(rawFrame{w: src.W, h: src.H, comps: comps}), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, script := range map[string][]testScan{
		"libjpeg": scriptColour, "spectral": colourScript(scriptSpectral), "approx": colourScript(scriptApprox),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Decode(writeJPEG(rawFrame{w: src.W, h: src.H, comps: comps, prog: script}), nil)
			if err != nil {
				t.Fatal(err)
			}
			if d, x, y := maxDiff(got, seq); d != 0 {
				t.Fatalf("differs from the sequential file by %d at (%d,%d)", d, x, y)
			}
		})
	}
}

// TestDecodeProgressiveTables checks tables that change between scans:
// a DQT after the last scan is the one image/jpeg dequantises with, and a
// DHT redefined between scans applies to the scans after it.
func TestDecodeProgressiveTables(t *testing.T) {
	src := planeOf(grayPattern(50, 30, 6))
	data := writeJPEG(rawFrame{w: src.W, h: src.H, prog: scriptGray, comps: []rawComp{lumaComp(src, 1, 1)}})
	var lateDQT bytes.Buffer
	lateDQT.Write(data[:len(data)-2])
	seg(&lateDQT, mDQT, append([]byte{0}, bytes.Repeat([]byte{5}, 64)...))
	lateDQT.Write([]byte{0xff, mEOI})
	before, err := Decode(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Decode(lateDQT.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if d, _, _ := maxDiff(before, after); d == 0 {
		t.Error("a DQT after the last scan changed nothing")
	}
	checkSame(t, lateDQT.Bytes())
}

// TestDecodeProgressiveBadInput checks the accept/reject decision on
// malformed progressive files: bad scan parameters, truncation anywhere
// (with and without an EOI after it), wrong restart markers.
func TestDecodeProgressiveBadInput(t *testing.T) {
	src := planeOf(grayPattern(40, 24, 4))
	gray1 := writeJPEG(rawFrame{w: src.W, h: src.H, prog: scriptGray, comps: []rawComp{lumaComp(src, 1, 1)}})
	sosAt := bytes.Index(gray1, []byte{0xff, mSOS})
	patch := func(offVal ...int) []byte {
		d := append([]byte{}, gray1...)
		for i := 0; i < len(offVal); i += 2 {
			d[sosAt+offVal[i]] = byte(offVal[i+1])
		}
		return d
	}
	// The first SOS: FF DA, length (2), Ns = 1, Cs, Td/Ta, Ss, Se, Ah/Al.
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"dc-scan-with-ac", patch(8, 5)},
		{"ss-after-se", patch(7, 9)},
		{"se-64", patch(7, 1, 8, 64)},
		{"ah-not-al-plus-1", patch(9, 0x31)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.data, nil)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want *FormatError", err)
			}
			checkSame(t, c.data)
		})
	}
	// An interleaved AC scan.
	col := writeJPEG(rawFrame{w: src.W, h: src.H, prog: []testScan{{[]int{0, 1, 2}, 0, 0, 0, 0}, {[]int{0, 1, 2}, 1, 63, 0, 0}},
		comps: append([]rawComp{lumaComp(src, 1, 1)}, chromaComps(1, 1)...)})
	t.Run("interleaved-ac", func(t *testing.T) {
		var fe *FormatError
		if _, err := Decode(col, nil); !errors.As(err, &fe) {
			t.Fatalf("error %v, want *FormatError", err)
		}
		checkSame(t, col)
	})
	for name, ri := range map[string]int{"gray": 0, "gray-ri3": 3} {
		data := writeJPEG(rawFrame{w: src.W, h: src.H, ri: ri, prog: scriptGray, comps: []rawComp{lumaComp(src, 1, 1)}})
		t.Run("truncated-"+name, func(t *testing.T) {
			for n := 0; n < len(data); n++ {
				cut := data[:n]
				if _, err := Decode(cut, nil); err == nil {
					t.Fatalf("prefix of %d bytes accepted", n)
				}
				checkSame(t, append(append([]byte{}, cut...), 0xff, mEOI))
			}
		})
	}
	// A colour file: wherever the cut falls in a chroma-only scan, Decode
	// may accept what image/jpeg refuses; it must then agree with
	// image/jpeg on the file without those scans.
	col420 := writeJPEG(rawFrame{w: src.W, h: src.H, prog: scriptColour,
		comps: append([]rawComp{lumaComp(src, 2, 2)}, chromaComps(1, 1)...)})
	t.Run("truncated-420", func(t *testing.T) {
		differ := 0
		for n := 0; n < len(col420); n++ {
			data := append(append([]byte{}, col420[:n]...), 0xff, mEOI)
			got, err := Decode(data, nil)
			if agree(got, err, data) == "" {
				continue
			}
			differ++
			if msg := agree(got, err, withoutChromaScans(data)); msg != "" {
				t.Fatalf("prefix of %d bytes: %s", n, msg)
			}
		}
		if differ == 0 {
			t.Error("no cut in a chroma scan made a difference: the test tests nothing")
		}
		t.Logf("%d of %d cuts decided differently from image/jpeg, as image/jpeg does without the chroma scans", differ, len(col420))
	})
	t.Run("wrong-rst", func(t *testing.T) {
		data := writeJPEG(rawFrame{w: src.W, h: src.H, ri: 2, prog: scriptGray, comps: []rawComp{lumaComp(src, 1, 1)},
			rstBefore: func(buf *bytes.Buffer, i int, m byte) byte {
				if i == 3 {
					return m ^ 1
				}
				return m
			}})
		if _, err := Decode(data, nil); err == nil {
			t.Fatal("accepted")
		}
		checkSame(t, data)
	})
}

// TestDecodeProgressiveSkipsChroma checks that chroma-only scans are jumped
// over without being decoded: garbage in them (which image/jpeg refuses)
// does not change the luma plane, and stuffed 0xFF bytes and restart
// markers inside them do not end them early.
func TestDecodeProgressiveSkipsChroma(t *testing.T) {
	src := planeOf(grayPattern(64, 48, 8))
	comps := append([]rawComp{lumaComp(src, 1, 1)}, chromaComps(1, 1)...)
	for _, ri := range []int{0, 1, 4} {
		t.Run(fmt.Sprintf("ri%d", ri), func(t *testing.T) {
			data := writeJPEG(rawFrame{w: src.W, h: src.H, ri: ri, prog: scriptColour, comps: comps})
			want, err := Decode(data, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, data)
			// Overwrite the entropy-coded data of each chroma-only scan
			// with 0xFF 0x00 pairs and, every 7 bytes, a restart marker.
			bad := append([]byte{}, data...)
			n := 0
			for p := 0; p < len(bad)-1; p++ {
				if bad[p] != 0xff || bad[p+1] != mSOS {
					continue
				}
				l := int(bad[p+2])<<8 | int(bad[p+3])
				if bad[p+4] != 1 || bad[p+5] == comps[0].id {
					continue
				}
				q := p + 2 + l
				e := q
				for e+1 < len(bad) {
					if bad[e] != 0xff {
						e++
						continue
					}
					if m := bad[e+1]; m != 0 && (m < mRST0 || m > mRST7) {
						break
					}
					e += 2
				}
				for i := q; i < e; i++ {
					bad[i] = 0xff
					switch {
					case i+1 == e:
						bad[i] = 0
					case (i-q)%2 == 1:
						bad[i] = 0
					case (i-q)%14 == 12:
						bad[i+1] = mRST0 + byte((i-q)/14%8)
						i++
					}
				}
				n++
			}
			if n != 4 {
				t.Fatalf("found %d chroma-only scans, want 4", n)
			}
			got, err := Decode(bad, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d, x, y := maxDiff(got, want); d != 0 {
				t.Fatalf("garbage chroma scans change luma by %d at (%d,%d)", d, x, y)
			}
			// The fuzz test's oracle: image/jpeg on the file without the
			// chroma-only scans, which image/jpeg refuses with them.
			stripped := withoutChromaScans(bad)
			if len(stripped) >= len(bad) {
				t.Fatal("withoutChromaScans removed nothing")
			}
			if msg := agree(got, nil, stripped); msg != "" {
				t.Fatal(msg)
			}
		})
	}
}

// TestDecodeProgressiveFixtures decodes the progressive files in testdata
// (written by libjpeg-turbo's cjpeg and jpegtran, see testdata/README) and
// compares them with image/jpeg.
func TestDecodeProgressiveFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.jpg")
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte{0xff, mSOF2}) {
				t.Fatal("not progressive")
			}
			if _, err := Decode(data, nil); err != nil {
				t.Fatal(err)
			}
			checkSame(t, data)
		})
	}
}

// TestDecodeProgressiveCjpeg writes progressive files with libjpeg's cjpeg,
// when it is installed, over a range of sizes, qualities, subsamplings and
// restart intervals, and compares Decode with image/jpeg on them.
func TestDecodeProgressiveCjpeg(t *testing.T) {
	cjpeg, err := exec.LookPath("cjpeg")
	if err != nil {
		t.Skip("cjpeg not installed")
	}
	dir := t.TempDir()
	type variant struct {
		name string
		args []string
		ok   bool // Decode must succeed (else: ErrUnsupported or both fail)
	}
	variants := []variant{
		{"gray", []string{"-grayscale"}, true},
		{"gray-restart-1B", []string{"-grayscale", "-restart", "1B"}, true},
		{"gray-restart-1row", []string{"-grayscale", "-restart", "1"}, true},
		{"420", nil, true},
		{"422", []string{"-sample", "2x1"}, true},
		{"444-restart-7B", []string{"-sample", "1x1", "-restart", "7B"}, true},
		{"420-restart", []string{"-restart", "2B"}, false},
	}
	for _, sz := range [][2]int{{1, 1}, {9, 17}, {64, 64}, {203, 119}} {
		rgb := photoYCbCr(sz[0], sz[1], image.YCbCrSubsampleRatio444, uint64(sz[0]))
		var ppm bytes.Buffer
		fmt.Fprintf(&ppm, "P6\n%d %d\n255\n", sz[0], sz[1])
		for y := 0; y < sz[1]; y++ {
			for x := 0; x < sz[0]; x++ {
				r, g, b, _ := rgb.At(x, y).RGBA()
				ppm.Write([]byte{byte(r >> 8), byte(g >> 8), byte(b >> 8)})
			}
		}
		in := filepath.Join(dir, fmt.Sprintf("in-%dx%d.ppm", sz[0], sz[1]))
		if err := os.WriteFile(in, ppm.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, v := range variants {
			for _, q := range []string{"30", "90"} {
				t.Run(fmt.Sprintf("%s-q%s-%dx%d", v.name, q, sz[0], sz[1]), func(t *testing.T) {
					args := append([]string{"-progressive", "-quality", q}, v.args...)
					data, err := exec.Command(cjpeg, append(args, in)...).Output()
					if err != nil {
						t.Fatal(err)
					}
					_, err = Decode(data, nil)
					if v.ok && err != nil {
						t.Fatal(err)
					}
					if errors.Is(err, ErrUnsupported) {
						return
					}
					checkSame(t, data)
				})
			}
		}
	}
}

// TestDecodeProgressiveReuse decodes progressive and sequential files of
// different sizes in turn into one plane: every result must equal
// image/jpeg's whole Y buffer, padding included (zero outside the image for
// progressive files), whatever the plane and the pooled coefficient buffer
// held before.
func TestDecodeProgressiveReuse(t *testing.T) {
	big := planeOf(grayPattern(150, 90, 1))
	small := planeOf(grayPattern(37, 21, 2))
	files := map[string][]byte{
		"big-420": writeJPEG(rawFrame{w: big.W, h: big.H, prog: scriptColour,
			comps: append([]rawComp{lumaComp(big, 2, 2)}, chromaComps(1, 1)...)}),
		"small-gray":     writeJPEG(rawFrame{w: small.W, h: small.H, prog: scriptGray, comps: []rawComp{lumaComp(small, 1, 1)}}),
		"small-420":      writeJPEG(rawFrame{w: small.W, h: small.H, prog: scriptColour, comps: append([]rawComp{lumaComp(small, 2, 2)}, chromaComps(1, 1)...)}),
		"big-sequential": writeJPEG(rawFrame{w: big.W, h: big.H, comps: []rawComp{lumaComp(big, 2, 1)}}),
		"small-dc-only":  writeJPEG(rawFrame{w: small.W, h: small.H, prog: colourScript(scriptDCOnly), comps: append([]rawComp{lumaComp(small, 2, 2)}, chromaComps(1, 1)...)}),
	}
	dst := &gray.Plane{}
	for _, name := range []string{"big-420", "small-gray", "big-sequential", "small-420", "big-420", "small-dc-only", "small-420"} {
		data := files[name]
		got, err := Decode(data, dst)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, _, err := stdLuma(data)
		if err != nil {
			t.Fatal(err)
		}
		if got.W != want.W || got.H != want.H || got.Stride != want.Stride || !bytes.Equal(got.Pix, want.Pix) {
			t.Fatalf("%s into a reused plane: differs from image/jpeg's Y buffer", name)
		}
	}
}
