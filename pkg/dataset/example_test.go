package dataset_test

import (
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
