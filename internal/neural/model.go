package neural

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
)

// formatName and formatVersion identify weights written by training/model.py.
const (
	formatName    = "qrcascade-detector"
	formatVersion = 1
	headChannels  = 10
	// netAlign is the product of the network's strides: input sides must be
	// multiples of it so that upsampled maps line up with their laterals.
	netAlign = 32
)

// Info describes a loaded model.
type Info struct {
	Name        string  // architecture name from the metadata: "nano", "large", ...
	Params      int     // number of weights and biases (after batch-norm folding)
	InputSize   int     // long side, in pixels, the model was trained at
	Stride      int     // output stride of the heatmaps (4)
	OffsetScale float32 // corner offsets are predicted in units of this many input pixels
	Version     string  // free-form model version from the metadata ("" if absent)
}

// op kinds of the graph.
const (
	opConv = iota
	opAdd
	opUp2
)

// node is one op of the graph, with its inputs and output resolved to value
// indices (0 is the network input).
type node struct {
	kind     int
	name     string
	in       [2]int
	out      int
	cin      int
	cout     int
	k        int
	stride   int
	dil      int
	depthwse bool
	relu     bool
	res      bool      // conv with k=1: in[1] is added before the ReLU (a fused add)
	w, b     []float32 // weights (cout × cin/groups × k × k) and bias (cout)
}

// graphNode is the JSON form of a node in the "graph" metadata entry.
type graphNode struct {
	Op     string   `json:"op"`
	Name   string   `json:"name"`
	Inp    []string `json:"inp"`
	Out    string   `json:"out"`
	Cin    int      `json:"cin"`
	Cout   int      `json:"cout"`
	K      int      `json:"k"`
	Stride int      `json:"stride"`
	Dil    int      `json:"dil"`
	Groups int      `json:"groups"`
	Relu   bool     `json:"relu"`
}

// Model is a loaded QR detector. It is safe for concurrent use: each call to
// Detect borrows a workspace (activation buffers sized for the input) from a
// pool, so concurrent calls use one workspace each and sequential calls
// allocate nothing once warmed up. The weights are never modified.
//
// Memory: the weights (4 bytes per parameter: ~1.2 MB nano, ~10 MB large)
// plus one workspace per concurrent call, sized by liveness for the input
// (a few MB for nano at 320 px, tens of MB for large at 512–640 px). There
// is no Close: drop every reference to the Model and the garbage collector
// reclaims weights and pooled workspaces alike (call debug.FreeOSMemory to
// hand the pages back to the OS at once).
type Model struct {
	info    Info
	nodes   []node
	nvalues int
	headVal int
	pool    sync.Pool // *workspace
}

// Load parses a detector from the bytes of a safetensors file written by
// training/export.py. It does not keep b. It returns a FormatError for a
// malformed file and an UnsupportedError for a format it does not know.
func Load(b []byte) (*Model, error) {
	tf, err := parseSafetensors(b)
	if err != nil {
		return nil, err
	}
	m, err := build(tf)
	if err != nil {
		return nil, err
	}
	m.nodes = fuseAdds(m.nodes, m.headVal)
	return m, nil
}

func build(tf *tensorFile) (*Model, error) {
	meta := tf.meta
	if meta["format"] != formatName {
		return nil, UnsupportedError(fmt.Sprintf("format %q, want %q", meta["format"], formatName))
	}
	if v, _ := strconv.Atoi(meta["format_version"]); v != formatVersion {
		return nil, UnsupportedError(fmt.Sprintf("format_version %q, want %d", meta["format_version"], formatVersion))
	}
	var info Info
	info.Name = meta["arch"]
	info.Version = meta["version"]
	var err error
	if info.InputSize, err = strconv.Atoi(meta["input_size"]); err != nil || info.InputSize <= 0 {
		return nil, FormatError(fmt.Sprintf("input_size %q", meta["input_size"]))
	}
	if info.Stride, err = strconv.Atoi(meta["stride"]); err != nil || info.Stride != 4 {
		return nil, UnsupportedError(fmt.Sprintf("stride %q, want 4", meta["stride"]))
	}
	os, err := strconv.ParseFloat(meta["offset_scale"], 32)
	if err != nil || os <= 0 {
		return nil, FormatError(fmt.Sprintf("offset_scale %q", meta["offset_scale"]))
	}
	info.OffsetScale = float32(os)
	var g []graphNode
	if err := json.Unmarshal([]byte(meta["graph"]), &g); err != nil {
		return nil, FormatError("graph metadata: " + err.Error())
	}
	m := &Model{info: info}
	values := map[string]int{"input": 0}
	channels := []int{1}
	// stride of each value relative to the input: adds need equal strides,
	// every stride must divide netAlign so padded inputs divide exactly.
	strides := []int{1}
	lookup := func(name string) (int, error) {
		v, ok := values[name]
		if !ok {
			return 0, FormatError(fmt.Sprintf("graph uses %q before it is produced", name))
		}
		return v, nil
	}
	for i, gn := range g {
		var nd node
		nd.name = gn.Name
		nd.relu = gn.Relu
		want := 1
		switch gn.Op {
		case "conv":
			nd.kind = opConv
		case "add":
			nd.kind = opAdd
			want = 2
		case "up2":
			nd.kind = opUp2
		default:
			return nil, UnsupportedError(fmt.Sprintf("op %q (node %d)", gn.Op, i))
		}
		if len(gn.Inp) != want {
			return nil, FormatError(fmt.Sprintf("node %d (%s): %d inputs, want %d", i, gn.Op, len(gn.Inp), want))
		}
		for j, name := range gn.Inp {
			if nd.in[j], err = lookup(name); err != nil {
				return nil, err
			}
		}
		if _, dup := values[gn.Out]; dup || gn.Out == "" {
			return nil, FormatError(fmt.Sprintf("node %d: output %q redefined", i, gn.Out))
		}
		var cout int
		st := strides[nd.in[0]]
		switch nd.kind {
		case opConv:
			if err := m.bindConv(&nd, gn, tf, channels[nd.in[0]]); err != nil {
				return nil, err
			}
			cout = nd.cout
			st *= nd.stride
			if netAlign%st != 0 {
				return nil, UnsupportedError(fmt.Sprintf("node %d: total stride %d beyond %d", i, st, netAlign))
			}
		case opAdd:
			if channels[nd.in[0]] != channels[nd.in[1]] || st != strides[nd.in[1]] {
				return nil, FormatError(fmt.Sprintf("node %d: add of %d channels at stride %d and %d at stride %d",
					i, channels[nd.in[0]], st, channels[nd.in[1]], strides[nd.in[1]]))
			}
			cout = channels[nd.in[0]]
		case opUp2:
			cout = channels[nd.in[0]]
			if st%2 != 0 {
				return nil, FormatError(fmt.Sprintf("node %d: upsampling a stride-%d map", i, st))
			}
			st /= 2
		}
		strides = append(strides, st)
		nd.out = len(channels)
		values[gn.Out] = nd.out
		channels = append(channels, cout)
		m.nodes = append(m.nodes, nd)
	}
	head, ok := values["head"]
	if !ok || channels[head] != headChannels || strides[head] != info.Stride {
		return nil, FormatError(fmt.Sprintf("graph has no %d-channel stride-%d output named \"head\"", headChannels, info.Stride))
	}
	m.headVal = head
	m.nvalues = len(channels)
	return m, nil
}

// nin is the number of inputs a node reads.
func (nd *node) nin() int {
	if nd.kind == opAdd || nd.res {
		return 2
	}
	return 1
}

// fuseAdds folds each add whose operand is the output of a 1×1 convolution
// without ReLU, read by nothing else, into that convolution: the conv adds
// the other operand to its accumulators, applies the add's ReLU and writes
// the add's output. This is every residual add of a MobileNetV2 bottleneck
// (projection + shortcut) and every lateral add of the FPN neck (lateral +
// upsampled top-down map). The conv moves to the add's place in the list,
// which keeps the order topological (nothing in between reads its output)
// and makes sure the other operand exists when it runs. Float addition
// commutes, so the result is bit for bit that of the separate add.
func fuseAdds(nodes []node, head int) []node {
	uses := map[int]int{head: 1}
	producer := map[int]int{}
	for i := range nodes {
		for _, v := range nodes[i].in[:nodes[i].nin()] {
			uses[v]++
		}
		producer[nodes[i].out] = i
	}
	// first pass: which conv goes into which add
	into := map[int]int{} // add index -> conv index
	moved := make([]bool, len(nodes))
	for i, nd := range nodes {
		if nd.kind != opAdd {
			continue
		}
		for j := 0; j < 2; j++ {
			v := nd.in[j]
			p, ok := producer[v]
			if !ok || uses[v] != 1 || moved[p] {
				continue
			}
			if c := nodes[p]; c.kind != opConv || c.k != 1 || c.relu {
				continue
			}
			c := nodes[p]
			c.res, c.in[1], c.relu, c.out = true, nd.in[1-j], nd.relu, nd.out
			nodes[p] = c
			into[i] = p
			moved[p] = true
			break
		}
	}
	out := make([]node, 0, len(nodes))
	for i := range nodes {
		switch p, ok := into[i]; {
		case ok:
			out = append(out, nodes[p])
		case !moved[i]:
			out = append(out, nodes[i])
		}
	}
	return out
}

func (m *Model) bindConv(nd *node, gn graphNode, tf *tensorFile, cin int) error {
	if gn.Cin != cin {
		return FormatError(fmt.Sprintf("conv %s: cin %d but its input has %d channels", gn.Name, gn.Cin, cin))
	}
	nd.cin, nd.cout, nd.k, nd.stride, nd.dil = gn.Cin, gn.Cout, gn.K, gn.Stride, gn.Dil
	switch {
	case gn.K == 1 && gn.Groups == 1 && gn.Stride == 1:
	case gn.K == 3 && gn.Groups == gn.Cin && gn.Cout == gn.Cin:
		nd.depthwse = true
	case gn.K == 3 && gn.Groups == 1 && gn.Dil == 1:
	default:
		return UnsupportedError(fmt.Sprintf("conv %s: k=%d groups=%d stride=%d dil=%d", gn.Name, gn.K, gn.Groups, gn.Stride, gn.Dil))
	}
	if (gn.Stride != 1 && gn.Stride != 2) || (gn.Dil != 1 && gn.Dil != 2) || gn.Cout <= 0 {
		return UnsupportedError(fmt.Sprintf("conv %s: stride %d dil %d cout %d", gn.Name, gn.Stride, gn.Dil, gn.Cout))
	}
	w, ok1 := tf.tensors[gn.Name+".weight"]
	b, ok2 := tf.tensors[gn.Name+".bias"]
	if !ok1 || !ok2 {
		return FormatError(fmt.Sprintf("conv %s: weight or bias missing", gn.Name))
	}
	per := gn.Cin
	if nd.depthwse {
		per = 1
	}
	if len(w.data) != gn.Cout*per*gn.K*gn.K || len(b.data) != gn.Cout {
		return FormatError(fmt.Sprintf("conv %s: weight shape %v bias shape %v", gn.Name, w.shape, b.shape))
	}
	nd.w, nd.b = w.data, b.data
	m.info.Params += len(w.data) + len(b.data)
	return nil
}

// Info returns the model's description.
func (m *Model) Info() Info { return m.info }

// tensor is a C×H×W float32 activation map in channel-major order.
type tensor struct {
	c, h, w int
	data    []float32
}

// workspace holds every activation buffer for one input size. Buffers are
// assigned by liveness: a value's buffer is returned to the free list after
// its last reader, so the peak is a few maps, not the sum of all of them.
type workspace struct {
	h, w   int
	vals   []tensor
	bufOf  []int       // value -> buffer index
	bufs   [][]float32 // owned buffers
	input  []float32
	dec    decoder
	resize resizer
	// scratch holds the padded input plane of the 3×3 convolutions and
	// the packed input blocks of the SIMD pointwise kernel.
	scratch []float32
}

// plan sizes the workspace for an h×w network input (multiples of netAlign).
func (m *Model) plan(ws *workspace, h, w int) {
	if ws.h == h && ws.w == w && ws.vals != nil {
		return
	}
	ws.h, ws.w = h, w
	ws.vals = make([]tensor, m.nvalues)
	ws.bufOf = make([]int, m.nvalues)
	lastUse := make([]int, m.nvalues)
	for i, nd := range m.nodes {
		for _, v := range nd.in[:nd.nin()] {
			lastUse[v] = i
		}
	}
	lastUse[m.headVal] = len(m.nodes)
	need := []int{}
	var free []int
	scratch := 0
	alloc := func(n int) int {
		best := -1
		for j, bi := range free {
			if need[bi] >= n && (best < 0 || need[bi] < need[free[best]]) {
				best = j
			}
		}
		if best < 0 { // grow the largest free buffer rather than add one
			for j, bi := range free {
				if best < 0 || need[bi] > need[free[best]] {
					best = j
				}
			}
		}
		if best < 0 {
			need = append(need, n)
			return len(need) - 1
		}
		bi := free[best]
		free = append(free[:best], free[best+1:]...)
		need[bi] = max(need[bi], n)
		return bi
	}
	ws.vals[0] = tensor{c: 1, h: h, w: w}
	for i, nd := range m.nodes {
		in := ws.vals[nd.in[0]]
		t := tensor{c: in.c, h: in.h, w: in.w}
		switch nd.kind {
		case opConv:
			t = tensor{c: nd.cout, h: (in.h + nd.stride - 1) / nd.stride, w: (in.w + nd.stride - 1) / nd.stride}
		case opUp2:
			t.h, t.w = in.h*2, in.w*2
		}
		ws.vals[nd.out] = t
		ws.bufOf[nd.out] = alloc(t.c * t.h * t.w)
		switch {
		case nd.kind == opConv && nd.k == 3:
			scratch = max(scratch, conv3x3Scratch(in.h, in.w, nd.dil))
		case nd.kind == opConv:
			scratch = max(scratch, pointwiseScratch(nd.cin))
		}
		for _, v := range nd.in[:nd.nin()] {
			if v != 0 && lastUse[v] == i {
				free = append(free, ws.bufOf[v])
			}
		}
	}
	for len(ws.bufs) < len(need) {
		ws.bufs = append(ws.bufs, nil)
	}
	for i, n := range need {
		if cap(ws.bufs[i]) < n {
			ws.bufs[i] = make([]float32, n)
		}
		ws.bufs[i] = ws.bufs[i][:cap(ws.bufs[i])]
	}
	if cap(ws.scratch) < scratch {
		ws.scratch = make([]float32, scratch)
	}
	if cap(ws.input) < h*w {
		ws.input = make([]float32, h*w)
	}
	ws.input = ws.input[:h*w]
	ws.vals[0].data = ws.input
	for i := 1; i < m.nvalues; i++ {
		t := &ws.vals[i]
		t.data = ws.bufs[ws.bufOf[i]][:t.c*t.h*t.w]
	}
}

// forward runs the network on ws.input (already filled, size planned) and
// returns the head tensor, which lives in ws until the next call.
func (m *Model) forward(ctx context.Context, ws *workspace) (tensor, error) {
	for i := range m.nodes {
		if i%8 == 0 && ctx.Err() != nil {
			return tensor{}, fmt.Errorf("neural: forward pass: %w", ctx.Err())
		}
		m.run(ws, &m.nodes[i])
	}
	return ws.vals[m.headVal], nil
}

// run executes one node on the planned workspace.
func (m *Model) run(ws *workspace, nd *node) {
	in, out := ws.vals[nd.in[0]], ws.vals[nd.out]
	switch nd.kind {
	case opConv:
		switch {
		case nd.k == 1:
			var res []float32
			if nd.res {
				res = ws.vals[nd.in[1]].data
			}
			pointwise(out.data, in.data, nd.w, nd.b, res, ws.scratch, nd.cin, nd.cout, in.h*in.w, nd.relu)
		case nd.depthwse:
			depthwise3x3(out.data, in.data, nd.w, nd.b, ws.scratch, in.c, in.h, in.w, out.h, out.w, nd.stride, nd.dil, nd.relu)
		default:
			conv3x3(out.data, in.data, nd.w, nd.b, ws.scratch, nd.cin, nd.cout, in.h, in.w, out.h, out.w, nd.stride, nd.relu)
		}
	case opAdd:
		add(out.data, in.data, ws.vals[nd.in[1]].data, nd.relu)
	case opUp2:
		upsample2(out.data, in.data, in.c, in.h, in.w)
	}
}

func (m *Model) getWorkspace() *workspace {
	if ws, ok := m.pool.Get().(*workspace); ok {
		return ws
	}
	return &workspace{}
}
