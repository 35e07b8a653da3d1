package stego_test

import (
	"fmt"
	"slices"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
	"github.com/neurocrypt/neurocrypt/pkg/stego"
)

// Hide 0.4 bits per pixel in a 128×128 synthetic cover by ±1 LSB matching,
// with a seed derived from the run seed and the image, and read the
// message back.
func ExampleEmbed() {
	cover, err := dataset.MustNewSynthetic(1, 1, 128).Load(0)
	if err != nil {
		panic(err)
	}
	seed := seeds.Sub(2024, "stego", "synthetic-000000")
	e, err := stego.Embed(cover, stego.DefaultRate, seed)
	if err != nil {
		panic(err)
	}
	got, _ := stego.Extract(e.Stego, stego.DefaultRate, seed)
	want, _ := stego.Message(e.Payload, seed)
	fmt.Printf("%d bits hidden, %d pixels changed by ±1, message read back: %v\n", e.Payload, e.Changed, slices.Equal(got, want))

	_, err = stego.LSBMatching(cover, 0, seed)
	fmt.Println(err)
	// Output:
	// 6554 bits hidden, 3291 pixels changed by ±1, message read back: true
	// stego: rate 0 bits per pixel is outside (0, 1]
}
