package gray

// SWAR ("SIMD within a register") helpers: eight pixels at a time in a
// uint64, in portable Go. Bytes are loaded little-endian, so results are the
// same on every platform; the scalar loops remain for row tails. The lane
// tricks split a word into its even and odd bytes, each held in a 16-bit
// lane, so that a carry or borrow out of a byte lands in bit 8 of its lane
// instead of spilling into the neighbouring pixel.

import "encoding/binary"

const (
	evenBytes = 0x00FF00FF00FF00FF // low byte of each 16-bit lane
	laneBit8  = 0x0100010001000100 // bit 8 of each 16-bit lane
	laneOne   = 0x0001000100010001 // 1 in each 16-bit lane
)

func load64(b []byte) uint64     { return binary.LittleEndian.Uint64(b) }
func store64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }

// geMask returns 0xFF in each byte where a ≥ b (unsigned) and 0x00 elsewhere.
func geMask(a, b uint64) uint64 {
	// (a|0x100) − b keeps bit 8 exactly when a ≥ b, lane by lane.
	e := ((a&evenBytes | laneBit8) - b&evenBytes) >> 8 & laneOne
	o := ((a>>8&evenBytes | laneBit8) - b>>8&evenBytes) >> 8 & laneOne
	return e*0xFF | o*0xFF<<8
}

// gtMask returns 0xFF in each byte where a > level (unsigned) and 0x00
// elsewhere; k holds 255−level in every 16-bit lane.
func gtMask(a, k uint64) uint64 {
	// a + 255 − level carries into bit 8 exactly when a > level.
	e := (a&evenBytes + k) >> 8 & laneOne
	o := (a>>8&evenBytes + k) >> 8 & laneOne
	return e*0xFF | o*0xFF<<8
}

// minBytes returns the bytewise unsigned minimum of a and b.
func minBytes(a, b uint64) uint64 {
	m := geMask(a, b)
	return b&m | a&^m
}

// maxBytes returns the bytewise unsigned maximum of a and b.
func maxBytes(a, b uint64) uint64 {
	m := geMask(a, b)
	return a&m | b&^m
}
