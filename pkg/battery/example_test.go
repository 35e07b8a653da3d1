package battery_test

import (
	"context"
	"fmt"
	"log"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
)

// Measure the paper's bit-plane cipher as written against AES-256-CTR on
// eight 64² crops, by registry name.
func Example() {
	src, err := dataset.NewSynthetic(1, 4, 128)
	if err != nil {
		log.Fatal(err)
	}
	plan, err := dataset.NewPlan(src, dataset.CropConfig{Size: 64, PerImage: 2, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	bt, err := battery.Build(cipher.NameBitplaneXOR, cipher.NameAESCTR).Seed(1, "example").Done()
	if err != nil {
		log.Fatal(err)
	}
	rep, err := bt.Run(context.Background(), plan)
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range rep.Tables() {
		fmt.Printf("%s: %d rows\n", t.Name, len(t.Rows))
	}
	fmt.Printf("NPCR of bitplane-xor: %.4f %% (one pixel of 4096: a keystream XOR does not diffuse)\n", rep.Mean(cipher.NameBitplaneXOR, battery.NPCR))
	// Output:
	// security: 3 rows
	// wu critical values: 3 rows
	// key sensitivity: 4 rows
	// NPCR of bitplane-xor: 0.0244 % (one pixel of 4096: a keystream XOR does not diffuse)
}
