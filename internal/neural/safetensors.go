package neural

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// A FormatError reports that a weights file is malformed.
type FormatError string

func (e FormatError) Error() string { return "neural: invalid weights: " + string(e) }

// An UnsupportedError reports a valid weights file that uses a feature this
// package does not implement (a dtype, an op, a newer format version).
type UnsupportedError string

func (e UnsupportedError) Error() string { return "neural: unsupported weights: " + string(e) }

// maxHeaderBytes bounds the JSON header of a safetensors file (the format
// itself caps it at 100 MB; ours are a few KB).
const maxHeaderBytes = 16 << 20

// tensorFile is a parsed safetensors file holding float32 tensors only.
//
// Layout (https://github.com/huggingface/safetensors): an unsigned 64-bit
// little-endian header length N, N bytes of JSON mapping each tensor name to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the
// end of the header) plus an optional "__metadata__" object of string values,
// then the raw little-endian tensor data.
type tensorFile struct {
	meta    map[string]string
	tensors map[string]tensorData
}

type tensorData struct {
	shape []int
	data  []float32
}

type headerEntry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// parseSafetensors decodes b. The returned tensors do not share memory with b.
func parseSafetensors(b []byte) (*tensorFile, error) {
	if len(b) < 8 {
		return nil, FormatError("file shorter than its 8-byte header length")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxHeaderBytes || n > uint64(len(b)-8) {
		return nil, FormatError(fmt.Sprintf("header length %d out of range", n))
	}
	hdr := b[8 : 8+n]
	body := b[8+n:]
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, FormatError("header is not a JSON object: " + err.Error())
	}
	tf := &tensorFile{meta: map[string]string{}, tensors: map[string]tensorData{}}
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &tf.meta); err != nil {
			return nil, FormatError("__metadata__ is not a map of strings")
		}
		delete(raw, "__metadata__")
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		var e headerEntry
		if err := json.Unmarshal(raw[name], &e); err != nil {
			return nil, FormatError(fmt.Sprintf("tensor %q: %v", name, err))
		}
		if e.DType != "F32" {
			return nil, UnsupportedError(fmt.Sprintf("tensor %q has dtype %s, want F32", name, e.DType))
		}
		count := int64(1)
		for _, d := range e.Shape {
			if d < 0 || d > math.MaxInt32 {
				return nil, FormatError(fmt.Sprintf("tensor %q: bad dimension %d", name, d))
			}
			count *= int64(d)
			if count > int64(len(body)) {
				return nil, FormatError(fmt.Sprintf("tensor %q larger than the file", name))
			}
		}
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo < 0 || hi < lo || hi > int64(len(body)) || hi-lo != 4*count {
			return nil, FormatError(fmt.Sprintf("tensor %q: data offsets [%d, %d] do not fit shape %v in %d bytes",
				name, lo, hi, e.Shape, len(body)))
		}
		data := make([]float32, count)
		src := body[lo:hi]
		for i := range data {
			data[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
		tf.tensors[name] = tensorData{shape: e.Shape, data: data}
	}
	return tf, nil
}

// encodeSafetensors is the inverse of parseSafetensors, used by tests to
// build small files.
func encodeSafetensors(meta map[string]string, tensors map[string]tensorData) []byte {
	hdr := map[string]any{}
	if len(meta) > 0 {
		hdr["__metadata__"] = meta
	}
	names := make([]string, 0, len(tensors))
	for k := range tensors {
		names = append(names, k)
	}
	sort.Strings(names)
	var body []byte
	for _, k := range names {
		t := tensors[k]
		lo := len(body)
		for _, v := range t.data {
			body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
		}
		hdr[k] = headerEntry{DType: "F32", Shape: t.shape, DataOffsets: [2]int64{int64(lo), int64(len(body))}}
	}
	h, _ := json.Marshal(hdr)
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(out, h...)
	return append(out, body...)
}
