package dataset_test

import (
	"context"
	"fmt"
	"log"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"
)

// Crop five seeded synthetic 64×64 images into their four 32×32 quadrants
// and split them 80/20 by source image.
func ExampleNewSet() {
	src, err := dataset.NewSynthetic(1, 5, 64)
	if err != nil {
		log.Fatal(err)
	}
	set, err := dataset.NewSet(src, dataset.CropConfig{Size: 32, Seed: 42})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("train:", len(set.Train), "crops from", set.TrainIDs)
	fmt.Println("test: ", len(set.Test), "crops from", set.TestIDs)
	c := set.Test[3]
	fmt.Printf("last test crop: %s at (%d,%d), %dx%d\n", c.ImageID, c.X, c.Y, c.Image.Width, c.Image.Height)
	fmt.Println("hash:", set.Hash()[:16])
	// Output:
	// train: 16 crops from [synthetic-000001 synthetic-000002 synthetic-000003 synthetic-000004]
	// test:  4 crops from [synthetic-000000]
	// last test crop: synthetic-000000 at (32,32), 32x32
	// hash: f2da6c660a43db3e
}

// Stream labelled batches from a crop plan: each crop gives two samples,
// itself (label 0) and its negative (label 1), so both classes come from
// the same crops; an epoch is shuffled by (seed, epoch). Only a few source
// images are decoded at a time, whatever the size of the data set.
func ExamplePlan_Batches() {
	src, err := dataset.NewSynthetic(1, 5, 64)
	if err != nil {
		log.Fatal(err)
	}
	plan, err := dataset.NewPlan(src, dataset.CropConfig{Size: 32, Seed: 42})
	if err != nil {
		log.Fatal(err)
	}
	negative := func(c dataset.Crop) ([]dataset.Sample, error) {
		inv := c.Image.Clone()
		for i, v := range inv.Pix {
			inv.Pix[i] = 255 - v
		}
		neg := c
		neg.Image = inv
		return []dataset.Sample{{Crop: c, Label: 0}, {Crop: neg, Label: 1}}, nil
	}
	batches, err := plan.Batches(dataset.Train, 10).Labels(negative).PerCrop(2).Shuffle(7).Done()
	if err != nil {
		log.Fatal(err)
	}
	for batch, err := range batches.Epoch(context.Background(), 0) {
		if err != nil {
			log.Fatal(err)
		}
		ones := 0
		for _, s := range batch {
			ones += s.Label
		}
		fmt.Printf("batch of %d samples, %d of class 1\n", len(batch), ones)
	}
	// Output:
	// batch of 10 samples, 8 of class 1
	// batch of 10 samples, 3 of class 1
	// batch of 10 samples, 3 of class 1
	// batch of 2 samples, 2 of class 1
}
