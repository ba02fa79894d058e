// Package neural runs qrcascade's own QR detector in pure Go: a small
// convolutional network that reads a gray image and returns each QR symbol's
// four corners with a confidence. It is the fallback tier for codes the
// classic finder-pattern scan misses (blur, shadows, skew, small codes in big
// photos); the cascade crops each returned quad from the full-resolution
// image and decodes it there.
//
// # The network
//
// A CenterNet-style single-class detector with one output at stride 4
// (training/model.py is the reference; its graph ships in the weights file):
// a stride-2 3×3 stem, MobileNetV2 bottlenecks (1×1 expand, depthwise 3×3,
// 1×1 project, residual) at strides 4 to 32, one dilated depthwise layer at
// stride 16, an FPN-lite top-down neck (1×1 laterals, nearest 2× upsampling,
// add) back to stride 4, and a 10-channel head:
//
//	0     centre heatmap (centre = intersection of the symbol's diagonals)
//	1..8  offsets of the four corners from the cell centre, in units of
//	      Info.OffsetScale pixels, in cyclic order from an arbitrary corner
//	9     corner keypoint heatmap (every corner of every symbol)
//
// Decoding takes the peaks of the centre heatmap, adds the regressed offsets
// and snaps each corner to a nearby corner-heatmap peak (regressed offsets
// alone drift toward axis-aligned quads), then suppresses overlapping
// candidates. Weak spots: codes near 45° can snap to the wrong corner (a
// geometric check rejects the worst cases), symbols smaller than about 16
// input pixels are rarely found (run on tiles or a larger InputSize), and
// the corner order carries no orientation.
//
// # Weights
//
// safetensors: a little-endian u64 header length, a JSON header naming each
// float32 tensor's shape and byte range, then the raw data. The header's
// "__metadata__" holds "format" ("qrcascade-detector"), "format_version",
// "arch", "input_size", "stride", "offset_scale" and "graph", a JSON list of
// ops (conv, add, up2) naming their input and output values; the forward
// pass is built from that list, so nano and large share all code. Batch norm
// is folded into the conv weights by the exporter.
//
// # Kernels
//
// Activations are C×H×W float32. Pointwise convolutions are GEMMs
// W(Cout×Cin)·X(Cin×HW) without im2col, four output channels per pass over a
// tile of input pixels (the scalar form takes two input channels per pass
// as well, since a loop that accumulates in memory is bound by its stores).
// The depthwise layers and the stem copy each input channel into a
// zero-padded plane, its rows split into even and odd columns for stride 2,
// so that all nine taps of every output pixel, border included, are
// contiguous runs: one kernel without bounds tests serves stride 1 and 2 and
// every dilation, and the SIMD build runs it 8 pixels at a time. Each add of
// the graph that sums a 1×1 convolution without ReLU with another map (the
// bottleneck residuals, the FPN laterals) is folded into that convolution,
// which adds the other map before its ReLU: one pass less over two maps,
// same result bit for bit. Buffers are assigned by liveness and kept in a
// pooled workspace, so repeated calls do not allocate.
//
// Weak spots: the SIMD kernels are AVX2/FMA only (build tag
// goexperiment.simd, amd64); other builds run the portable kernels, which
// Go does not vectorise (nano at 320 px: about 3× the SIMD time). The
// pointwise kernels read each input channel at a stride of H·W floats, so
// very wide layers touch many pages per pixel block.
//
// Coordinates: (0,0) is the top-left pixel, +x right, +y down; a pixel's
// centre is at (x+0.5, y+0.5).
package neural
