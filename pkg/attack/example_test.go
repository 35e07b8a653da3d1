package attack_test

import (
	"context"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/attack"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Example attacks the paper's bit-plane XOR cipher and its extension with a
// permutation and chained diffusion, on synthetic 64² crops.
func Example() {
	src := dataset.MustNewSynthetic(1, 1+attack.DefaultKnownPairs, 64)
	var imgs []*imageio.Gray
	for i := range src.Len() {
		g, err := src.Load(i)
		if err != nil {
			panic(err)
		}
		imgs = append(imgs, g)
	}
	target, known := imgs[0], imgs[1:]
	for _, name := range []string{cipher.NameBitplaneXOR, cipher.NameBitplane} {
		s, err := cipher.Lookup(name)
		if err != nil {
			panic(err)
		}
		outs, err := attack.Run(context.Background(), s, s.GenerateKey(42), target, known, attack.Config{Seed: 1})
		if err != nil {
			panic(err)
		}
		t := attack.Table(name, outs)
		fmt.Println(t.Name)
		for _, row := range t.Rows {
			fmt.Printf("  %-16s %d queries: %s\n", row[0], row[1], row[5])
		}
	}
	// Output:
	// attacks bitplane-xor
	//   cpa-keystream    1 queries: broken
	//   kpa-permutation  8 queries: broken
	//   cpa-permutation  3 queries: broken
	//   differential     2 queries: broken
	//   wrong-key        0 queries: resists
	// attacks bitplane
	//   cpa-keystream    1 queries: resists
	//   kpa-permutation  8 queries: resists
	//   cpa-permutation  3 queries: resists
	//   differential     2 queries: resists
	//   wrong-key        0 queries: resists
}
