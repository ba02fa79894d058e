package imgio

import (
	"encoding/binary"
	"errors"
)

// JPEG markers used while looking for the Exif segment (ITU-T T.81, Table B.1).
const (
	markerTEM  = 0x01
	markerRST0 = 0xd0
	markerRST7 = 0xd7
	markerSOI  = 0xd8
	markerEOI  = 0xd9
	markerSOS  = 0xda
	markerAPP1 = 0xe1
)

// tagOrientation is the TIFF/Exif Orientation tag (TIFF 6.0 section 8 and
// Exif 2.32 section 4.6.4, Table 4).
const tagOrientation = 0x0112

// jpegOrientation returns the Exif Orientation (1..8) of a JPEG stream, or 1
// when there is none or it cannot be read. It walks the marker segments
// that precede the first scan (T.81 section B.2.4: a segment is 0xFF, the
// marker, a big-endian length that counts itself, then the payload) and reads
// the first APP1 segment that starts with "Exif\0\0" (Exif 2.32 section
// 4.5.4). It never reads outside data and never panics: a malformed segment
// ends the walk and the orientation is 1, leaving the diagnosis to the JPEG
// decoder.
func jpegOrientation(data []byte) int {
	if len(data) < 2 || data[0] != 0xff || data[1] != markerSOI {
		return 1
	}
	pos := 2
	for pos < len(data) {
		if data[pos] != 0xff {
			return 1
		}
		// Any number of 0xFF fill bytes may precede a marker (B.1.1.2).
		for pos < len(data) && data[pos] == 0xff {
			pos++
		}
		if pos >= len(data) {
			return 1
		}
		m := data[pos]
		pos++
		switch {
		case m == markerTEM || m == markerSOI || (m >= markerRST0 && m <= markerRST7):
			continue // stand-alone markers have no length field
		case m == markerEOI || m == markerSOS:
			return 1 // metadata only comes before the first scan
		}
		if pos+2 > len(data) {
			return 1
		}
		n := int(binary.BigEndian.Uint16(data[pos:]))
		if n < 2 || pos+n > len(data) {
			return 1
		}
		seg := data[pos+2 : pos+n]
		pos += n
		if m == markerAPP1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
	}
	return 1
}

// TIFF structure errors found by readIFD0.
var (
	errTIFFHeader     = errors.New("bad tiff header")
	errIFDTruncated   = errors.New("ifd0 truncated")
	errTIFFValueTrunc = errors.New("ifd0 value beyond end of data")
)

// tiffTypeSize is the size in bytes of one value of each TIFF field type
// (TIFF 6.0 section 2, "Types"); 0 for unknown types.
func tiffTypeSize(typ uint16) int64 {
	switch typ {
	case 1, 2, 6, 7: // BYTE, ASCII, SBYTE, UNDEFINED
		return 1
	case 3, 8: // SHORT, SSHORT
		return 2
	case 4, 9, 11, 13: // LONG, SLONG, FLOAT, IFD
		return 4
	case 5, 10, 12: // RATIONAL, SRATIONAL, DOUBLE
		return 8
	}
	return 0
}

// tiffOrientation returns the Orientation of a TIFF structure (an Exif
// payload is one), or 1 when it is absent, invalid or unreadable.
func tiffOrientation(b []byte) int {
	o, _ := readIFD0(b)
	return o
}

// readIFD0 walks IFD0 of a TIFF structure (TIFF 6.0 section 2: an 8-byte
// header giving the byte order and the offset of IFD0; an IFD is a 2-byte
// entry count, 12-byte entries tag/type/count/value-or-offset, and a 4-byte
// offset of the next IFD). Both byte orders are handled.
//
// It returns the Orientation tag's value (1 when absent or outside 1..8)
// and an error when the header is invalid, the IFD is cut short, or the
// out-of-line value of a public tag (below 32768; private tags are not
// checked, as readers ignore them) lies beyond the end of b. The work is
// bounded by the entry count and len(b); it never panics.
func readIFD0(b []byte) (orientation int, err error) {
	orientation = 1
	if len(b) < 8 {
		return 1, errTIFFHeader
	}
	var bo binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1, errTIFFHeader
	}
	if bo.Uint16(b[2:]) != 42 {
		return 1, errTIFFHeader
	}
	off := int64(bo.Uint32(b[4:]))
	if off < 8 || off+2 > int64(len(b)) {
		return 1, errIFDTruncated
	}
	ifd := b[off:]
	count := int(bo.Uint16(ifd))
	if int64(2+12*count+4) > int64(len(ifd)) {
		err = errIFDTruncated
	}
	for i := 0; i < count; i++ {
		e := 2 + 12*i
		if e+12 > len(ifd) {
			break
		}
		entry := ifd[e : e+12]
		tag, typ, n := bo.Uint16(entry), bo.Uint16(entry[2:]), int64(bo.Uint32(entry[4:]))
		if size := tiffTypeSize(typ) * n; size > 4 && tag < 0x8000 && err == nil {
			if vo := int64(bo.Uint32(entry[8:])); vo+size > int64(len(b)) {
				err = errTIFFValueTrunc
			}
		}
		if tag != tagOrientation || n < 1 {
			continue
		}
		var v uint32
		switch typ {
		case 3: // SHORT: the value sits left-justified in the 4-byte field
			v = uint32(bo.Uint16(entry[8:]))
		case 4: // LONG, seen from some writers
			v = bo.Uint32(entry[8:])
		}
		if v >= 1 && v <= 8 {
			orientation = int(v)
		}
	}
	return orientation, err
}
