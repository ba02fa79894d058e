package neural

import (
	"encoding/binary"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestSafetensorsRoundTrip(t *testing.T) {
	in := map[string]tensorData{
		"a": {shape: []int{2, 3}, data: []float32{1, -2, 3.5, 0, 1e-7, -1e30}},
		"b": {shape: []int{1}, data: []float32{42}},
		"e": {shape: []int{0}, data: []float32{}},
	}
	b := encodeSafetensors(map[string]string{"k": "v"}, in)
	tf, err := parseSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	if tf.meta["k"] != "v" {
		t.Errorf("metadata = %v", tf.meta)
	}
	for name, want := range in {
		got, ok := tf.tensors[name]
		if !ok || len(got.data) != len(want.data) {
			t.Fatalf("tensor %s: got %v", name, got)
		}
		for i := range want.data {
			if got.data[i] != want.data[i] {
				t.Errorf("tensor %s[%d] = %v, want %v", name, i, got.data[i], want.data[i])
			}
		}
	}
}

func TestSafetensorsErrors(t *testing.T) {
	good := encodeSafetensors(nil, map[string]tensorData{"a": {shape: []int{2}, data: []float32{1, 2}}})
	withHeader := func(h string) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(append(b, h...), make([]byte, 8)...)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want any // *FormatError or *UnsupportedError
	}{
		{"empty", nil, FormatError("")},
		{"short header", good[:7], FormatError("")},
		{"header past end", append(binary.LittleEndian.AppendUint64(nil, 1000), '{'), FormatError("")},
		{"not json", withHeader("nope"), FormatError("")},
		{"truncated data", good[:len(good)-1], FormatError("")},
		{"offsets do not match shape", withHeader(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`), FormatError("")},
		{"negative offset", withHeader(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`), FormatError("")},
		{"huge shape", withHeader(`{"a":{"dtype":"F32","shape":[100000,100000],"data_offsets":[0,8]}}`), FormatError("")},
		{"f16", withHeader(`{"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}`), UnsupportedError("")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSafetensors(tc.b)
			var fe FormatError
			var ue UnsupportedError
			switch tc.want.(type) {
			case FormatError:
				if !errors.As(err, &fe) {
					t.Errorf("err = %v, want a FormatError", err)
				}
			case UnsupportedError:
				if !errors.As(err, &ue) {
					t.Errorf("err = %v, want an UnsupportedError", err)
				}
			}
		})
	}
}

func TestLoadRejectsBadGraphs(t *testing.T) {
	b, err := os.ReadFile("testdata/tiny.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	tf, err := parseSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key, from, to string
		unsupported         bool
	}{
		{"other format", "format", "qrcascade-detector", "yolo", true},
		{"newer version", "format_version", "1", "2", true},
		{"unknown op", "graph", `"op":"up2"`, `"op":"maxpool"`, true},
		{"dangling input", "graph", `"inp":["input"]`, `"inp":["nowhere"]`, false},
		{"bad input size", "input_size", "64", "x", false},
		{"channel mismatch", "graph", `"cin":1,`, `"cin":2,`, false},
		{"add across strides", "graph", `"inp":["t27","t33"]`, `"inp":["t16","t33"]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			meta := map[string]string{}
			for k, v := range tf.meta {
				meta[k] = v
			}
			if !strings.Contains(meta[tc.key], tc.from) {
				t.Fatalf("fixture metadata %s has no %q", tc.key, tc.from)
			}
			meta[tc.key] = strings.Replace(meta[tc.key], tc.from, tc.to, 1)
			_, err := Load(encodeSafetensors(meta, tf.tensors))
			var ue UnsupportedError
			var fe FormatError
			if tc.unsupported && !errors.As(err, &ue) {
				t.Errorf("err = %v, want an UnsupportedError", err)
			}
			if !tc.unsupported && !errors.As(err, &fe) {
				t.Errorf("err = %v, want a FormatError", err)
			}
		})
	}
	m, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	if info := m.Info(); info.Name != "tiny" || info.InputSize != 64 || strconv.Itoa(info.Params) != tf.meta["params"] || info.Stride != 4 {
		t.Errorf("Info() = %+v", info)
	}
}
