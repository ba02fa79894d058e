package qr

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"qrcascade/internal/imgio"
)

func TestZZImg(t *testing.T) {
	for _, f := range strings.Fields(os.Getenv("IMGS")) {
		data, _ := os.ReadFile("/work/shared/corpus/boofcv-dev/detection/" + f + ".jpg")
		p, _, _ := imgio.Decode(data, imgio.Limits{})
		res := NewDetector(Options{}).Detect(context.Background(), p)
		fmt.Printf("%s syms %d stats %+v\n", f, len(res.Symbols), res.Stats)
	}
}
