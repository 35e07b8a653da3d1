// Package dataset provides the images experiments run on: BOSSbase 1.01
// (folder or zip), the embedded CC0 stand-in photos, and a seeded synthetic
// generator; crops them, splits them deterministically by source image, and
// hashes exactly the data used.
package dataset

import "github.com/neurocrypt/neurocrypt/pkg/imageio"

// Source is a collection of grayscale source images (before cropping).
// Implementations load lazily: BOSSbase is 2.6 GB unpacked.
type Source interface {
	// Name identifies the source in reports and provenance, e.g.
	// "standin", "synthetic(seed=1,n=16,size=512)", "bossbase:/data/BOSSbase_1.01".
	Name() string
	// Len is the number of source images.
	Len() int
	// ID is a stable identifier of image i (e.g. its file name); the
	// train/test split is by ID, so no crop of one image is on both sides.
	ID(i int) string
	// Load decodes image i. Errors name the file and the problem.
	Load(i int) (*imageio.Gray, error)
}

// Fingerprinter is implemented by sources whose content can change under the
// same Name (files on disk); see Fingerprint.
type Fingerprinter interface {
	// Fingerprint changes whenever the images the source would load change.
	Fingerprint() string
}

// Fingerprint identifies the content of src for cache keys: its
// Fingerprinter's value when it has one (BOSSbase), else its Name, which
// already determines the content of the embedded stand-in and of the seeded
// synthetic generator.
func Fingerprint(src Source) string {
	if f, ok := src.(Fingerprinter); ok {
		return src.Name() + "#" + f.Fingerprint()
	}
	return src.Name()
}
