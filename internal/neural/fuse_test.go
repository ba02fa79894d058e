package neural

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
)

// TestFuseAdds checks that folding the adds into the 1×1 convolutions that
// feed them removes every add of the shipped graphs and leaves the output
// unchanged bit for bit (float addition commutes, and the fused kernel
// rounds the sum as the separate add did).
func TestFuseAdds(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		h, w       int
		adds       int // adds in the exported graph
	}{
		{"tiny", "testdata/tiny.safetensors", 64, 96, 7},
		{"nano", "../../models/nano.safetensors", 128, 160, 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Skipf("no model: %v", err)
			}
			tf, err := parseSafetensors(b)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := build(tf)
			if err != nil {
				t.Fatal(err)
			}
			fused, err := Load(b)
			if err != nil {
				t.Fatal(err)
			}
			count := func(nodes []node) (adds, res int) {
				for _, nd := range nodes {
					if nd.kind == opAdd {
						adds++
					}
					if nd.res {
						res++
					}
				}
				return adds, res
			}
			if a, r := count(plain.nodes); a != tc.adds || r != 0 {
				t.Fatalf("unfused graph: %d adds, %d fused convs; want %d, 0", a, r, tc.adds)
			}
			if a, r := count(fused.nodes); a != 0 || r != tc.adds {
				t.Errorf("fused graph: %d adds, %d fused convs; want 0, %d", a, r, tc.adds)
			}
			if len(fused.nodes) != len(plain.nodes)-tc.adds {
				t.Errorf("fused graph has %d nodes, want %d", len(fused.nodes), len(plain.nodes)-tc.adds)
			}
			r := rand.New(rand.NewPCG(9, 9))
			in := make([]float32, tc.h*tc.w)
			for i := range in {
				in[i] = r.Float32()
			}
			want, err := plain.forwardInput(context.Background(), in, tc.h, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fused.forwardInput(context.Background(), in, tc.h, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want.data {
				if got.data[i] != want.data[i] {
					t.Fatalf("head[%d] = %v fused, %v unfused", i, got.data[i], want.data[i])
				}
			}
		})
	}
}

// TestFuseAddsRules checks which adds are folded on small hand-made graphs.
func TestFuseAddsRules(t *testing.T) {
	conv := func(in, out int, k int, relu bool) node {
		return node{kind: opConv, in: [2]int{in}, out: out, k: k, stride: 1, dil: 1, cin: 1, cout: 1, relu: relu}
	}
	add := func(a, b, out int, relu bool) node {
		return node{kind: opAdd, in: [2]int{a, b}, out: out, relu: relu}
	}
	for _, tc := range []struct {
		name  string
		nodes []node
		head  int
		want  []int // kinds after fusion; -1 marks a conv with a fused add
	}{
		{"residual", []node{conv(0, 1, 1, true), conv(1, 2, 1, false), add(1, 2, 3, false)}, 3,
			[]int{opConv, -1}},
		{"conv output read twice", []node{conv(0, 1, 1, false), conv(1, 2, 1, true), add(1, 2, 3, false)}, 3,
			[]int{opConv, opConv, opAdd}},
		{"conv with relu", []node{conv(0, 1, 1, true), conv(1, 2, 1, true), add(1, 2, 3, false)}, 3,
			[]int{opConv, opConv, opAdd}},
		{"3x3 conv", []node{conv(0, 1, 1, true), conv(1, 2, 3, false), add(1, 2, 3, false)}, 3,
			[]int{opConv, opConv, opAdd}},
		{"lateral after upsampling", []node{conv(0, 1, 1, true), conv(0, 2, 1, false),
			{kind: opUp2, in: [2]int{1}, out: 3}, add(3, 2, 4, true)}, 4,
			[]int{opConv, opUp2, -1}},
		{"add of two plain convs", []node{conv(0, 1, 1, false), conv(0, 2, 1, false), add(1, 2, 3, true)}, 3,
			[]int{opConv, -1}},
		{"head read elsewhere", []node{conv(0, 1, 1, true), conv(1, 2, 1, false), add(1, 2, 3, false)}, 2,
			[]int{opConv, opConv, opAdd}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fuseAdds(append([]node(nil), tc.nodes...), tc.head)
			kinds := make([]int, len(got))
			for i, nd := range got {
				kinds[i] = nd.kind
				if nd.res {
					kinds[i] = -1
				}
			}
			if len(kinds) != len(tc.want) {
				t.Fatalf("kinds %v, want %v", kinds, tc.want)
			}
			for i := range kinds {
				if kinds[i] != tc.want[i] {
					t.Fatalf("kinds %v, want %v", kinds, tc.want)
				}
			}
			for _, nd := range got {
				if nd.res {
					last := tc.nodes[len(tc.nodes)-1]
					if nd.out != last.out || nd.relu != last.relu {
						t.Errorf("fused conv writes %d relu=%v, want the add's %d relu=%v", nd.out, nd.relu, last.out, last.relu)
					}
				}
			}
		})
	}
}
