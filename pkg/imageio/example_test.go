package imageio_test

import (
	"fmt"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Decode a plain (P2) 4-bit PGM: its samples are kept as they are, in an
// 8-bit image (never rescaled).
func ExampleDecodePGM() {
	const data = "P2\n# a 3x1 ramp\n3 1\n15\n0 8 15\n"
	p, err := imageio.DecodePGM(strings.NewReader(data), "ramp.pgm")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Width, p.Height, p.MaxVal, p.Samples, p.Gray().Pix)

	_, err = imageio.DecodePGM(strings.NewReader("P5\n4 4\n255\n\x00\x01"), "short.pgm")
	fmt.Println(err)
	// Output:
	// 3 1 15 [0 8 15] [0 8 15]
	// short.pgm: truncated pixel data: got 2 of 16 bytes
}
