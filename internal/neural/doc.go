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
// tile of input pixels; depthwise 3×3 runs directly with bounds tests only at
// the borders; the stem is a direct 3×3 convolution. Buffers are assigned by
// liveness and kept in a pooled workspace, so repeated calls do not allocate.
//
// Coordinates: (0,0) is the top-left pixel, +x right, +y down; a pixel's
// centre is at (x+0.5, y+0.5).
package neural
