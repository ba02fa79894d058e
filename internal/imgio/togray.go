package imgio

import (
	"image"

	"github.com/qrcascade/qrcascade/internal/gray"
)

// ToGray converts an already decoded image to a gray plane whose (0,0) is
// img.Bounds().Min, with the fast paths Decode uses (colour composited over
// white, BT.601 luma). The plane aliases the pixel memory of *image.Gray
// and *image.YCbCr images instead of copying it: the caller must not
// modify img while the plane is in use. No limits are applied.
func ToGray(img image.Image) *gray.Plane { return toGray(img) }
