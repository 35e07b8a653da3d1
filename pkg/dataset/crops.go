package dataset

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Defaults of CropConfig.
const (
	DefaultPerImage     = 4
	DefaultTestFraction = 0.2
	// maxLoadWorkers bounds the images decoded at once by NewSet.
	maxLoadWorkers = 8
	// hashVersion is written first into Set.Hash, so that a change to the
	// hashed layout changes every hash.
	hashVersion = "neurocrypt/dataset.Set v1"
)

// CropConfig says how NewSet crops and splits a Source.
type CropConfig struct {
	// Size is the side of the square crops, e.g. 256. Required.
	Size int
	// PerImage is the number of crops taken from each image (0 means
	// DefaultPerImage). Crops are tiles of a non-overlapping Size×Size grid
	// anchored at the top-left corner (a right or bottom remainder smaller
	// than Size is not used). When an image has more tiles than PerImage, a
	// permutation seeded by (Seed, image ID) picks which; when it has fewer,
	// all its tiles are used.
	PerImage int
	// MaxImages limits the number of source images (0 means all): a seeded
	// subset, chosen by (Seed, image ID) so it does not depend on the
	// source's order.
	MaxImages int
	// TestFraction is the share of source images whose crops form the test
	// set (0 means DefaultTestFraction; it must be below 1).
	TestFraction float64
	// Seed drives every random choice (subset, split, tiles).
	Seed uint64
}

// Crop is one square crop of a source image.
type Crop struct {
	ImageID string // the source image's ID
	X, Y    int    // top-left corner in the source image
	Image   *imageio.Gray
}

// Set is a cropped dataset split by source image: no image has crops in
// both Train and Test. Both lists are in source order, and within an image
// in row-major tile order.
type Set struct {
	// Source is the Source's Name.
	Source string
	// Config is the configuration used, with defaults filled in.
	Config CropConfig
	// TrainIDs and TestIDs are the source images on each side, in source order.
	TrainIDs, TestIDs []string
	Train, Test       []Crop

	hashOnce sync.Once
	hash     string
}

// NewSet loads the images of src, cuts each into crops and splits them into
// train and test by source image.
//
// The split: the chosen images are ordered by a seeded shuffle of their
// IDs; the first round(TestFraction·n) go to test — at least one when
// n ≥ 2, and never all of them, so train is not empty — and the rest to
// train. With BOSSbase (10 000 images), Size 256 and the defaults this gives
// 40 000 crops: 32 000 train from 8 000 images, 8 000 test from 2 000.
//
// An image smaller than Size×Size is an error naming the image (rather
// than a silent skip, which would change the data behind a profile
// unnoticed). Images are loaded in parallel; the result does not depend on
// the order in which loads finish.
func NewSet(src Source, cfg CropConfig) (*Set, error) {
	if src == nil {
		return nil, fmt.Errorf("dataset.NewSet: nil source")
	}
	if cfg.PerImage == 0 {
		cfg.PerImage = DefaultPerImage
	}
	if cfg.TestFraction == 0 {
		cfg.TestFraction = DefaultTestFraction
	}
	switch {
	case cfg.Size < 1:
		return nil, fmt.Errorf("dataset.NewSet: crop Size=%d must be positive", cfg.Size)
	case cfg.PerImage < 1:
		return nil, fmt.Errorf("dataset.NewSet: PerImage=%d must be positive", cfg.PerImage)
	case cfg.MaxImages < 0:
		return nil, fmt.Errorf("dataset.NewSet: MaxImages=%d must not be negative", cfg.MaxImages)
	case !(cfg.TestFraction > 0 && cfg.TestFraction < 1):
		return nil, fmt.Errorf("dataset.NewSet: TestFraction=%g must be in (0, 1)", cfg.TestFraction)
	}
	n := src.Len()
	if n < 1 {
		return nil, fmt.Errorf("dataset.NewSet: source %s has no images", src.Name())
	}
	ids := make([]string, n)
	seen := make(map[string]int, n)
	all := make([]int, n)
	for i := range ids {
		ids[i] = src.ID(i)
		if j, dup := seen[ids[i]]; dup {
			return nil, fmt.Errorf("dataset.NewSet: source %s has images %d and %d with the same ID %q", src.Name(), j, i, ids[i])
		}
		seen[ids[i]] = i
		all[i] = i
	}

	// A seeded subset, then a seeded split; both keyed by ID only.
	chosen := all
	if cfg.MaxImages > 0 && cfg.MaxImages < n {
		chosen = shuffleIDs(cfg.Seed, "subset", ids, all)[:cfg.MaxImages]
		sort.Ints(chosen)
	}
	m := len(chosen)
	nTest := TestCount(m, cfg.TestFraction)
	isTest := make(map[int]bool, nTest)
	for _, i := range shuffleIDs(cfg.Seed, "split", ids, chosen)[:nTest] {
		isTest[i] = true
	}

	crops, err := loadCrops(src, ids, chosen, cfg)
	if err != nil {
		return nil, err
	}
	s := &Set{Source: src.Name(), Config: cfg}
	for k, i := range chosen {
		if isTest[i] {
			s.TestIDs = append(s.TestIDs, ids[i])
			s.Test = append(s.Test, crops[k]...)
		} else {
			s.TrainIDs = append(s.TrainIDs, ids[i])
			s.Train = append(s.Train, crops[k]...)
		}
	}
	return s, nil
}

// TestCount is the number of test images NewSet uses for n images:
// round(fraction·n), at least 1 when n ≥ 2, at most n−1.
func TestCount(n int, fraction float64) int {
	t := int(math.Round(fraction * float64(n)))
	if n >= 2 {
		t = min(max(t, 1), n-1)
	} else {
		t = 0
	}
	return t
}

// TileOrigins returns the top-left corners of the crops NewSet takes from
// a width×height image with the given ID: tiles of the Size grid, all of
// them or PerImage chosen by the (Seed, id) permutation, in row-major order.
func TileOrigins(width, height int, id string, cfg CropConfig) [][2]int {
	if cfg.PerImage == 0 {
		cfg.PerImage = DefaultPerImage
	}
	if cfg.Size < 1 {
		return nil
	}
	cols, rows := width/cfg.Size, height/cfg.Size
	tiles := cols * rows
	pick := make([]int, 0, tiles)
	if cfg.PerImage >= tiles {
		for t := 0; t < tiles; t++ {
			pick = append(pick, t)
		}
	} else {
		rng := &splitMix{state: keyOf(cfg.Seed, "tiles", id)}
		pick = append(pick, rng.Perm(tiles)[:cfg.PerImage]...)
		sort.Ints(pick)
	}
	out := make([][2]int, len(pick))
	for k, t := range pick {
		out[k] = [2]int{(t % cols) * cfg.Size, (t / cols) * cfg.Size}
	}
	return out
}

// loadCrops loads the chosen images in parallel; crops[k] holds the crops
// of image chosen[k].
func loadCrops(src Source, ids []string, chosen []int, cfg CropConfig) ([][]Crop, error) {
	crops := make([][]Crop, len(chosen))
	errs := make([]error, len(chosen))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), maxLoadWorkers, len(chosen))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				k := int(next.Add(1) - 1)
				if k >= len(chosen) {
					return
				}
				crops[k], errs[k] = cropImage(src, chosen[k], ids[chosen[k]], cfg)
				if errs[k] != nil {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return crops, nil
}

func cropImage(src Source, i int, id string, cfg CropConfig) ([]Crop, error) {
	g, err := src.Load(i)
	if err != nil {
		return nil, err
	}
	if g.Width < cfg.Size || g.Height < cfg.Size {
		return nil, fmt.Errorf("dataset.NewSet: image %q of %s is %dx%d, smaller than the %dx%d crop",
			id, src.Name(), g.Width, g.Height, cfg.Size, cfg.Size)
	}
	origins := TileOrigins(g.Width, g.Height, id, cfg)
	out := make([]Crop, len(origins))
	for k, o := range origins {
		c, err := g.SubImage(o[0], o[1], cfg.Size, cfg.Size)
		if err != nil {
			return nil, fmt.Errorf("dataset.NewSet: image %q: %v", id, err)
		}
		out[k] = Crop{ImageID: id, X: o[0], Y: o[1], Image: c}
	}
	return out, nil
}

// Hash is the hex SHA-256 of exactly the data in the set: a format tag,
// the crop size, then for the train and then the test crops, their count
// and, for each crop in order, its image ID, position, size and pixels.
// Two sets with the same hash hold the same crops in the same split and
// order. It is computed once and cached.
func (s *Set) Hash() string {
	s.hashOnce.Do(func() {
		h := sha256.New()
		h.Write([]byte(hashVersion))
		writeInt(h, s.Config.Size)
		for _, part := range []struct {
			name  string
			crops []Crop
		}{{"train", s.Train}, {"test", s.Test}} {
			writeString(h, part.name)
			writeInt(h, len(part.crops))
			for _, c := range part.crops {
				writeString(h, c.ImageID)
				writeInt(h, c.X)
				writeInt(h, c.Y)
				writeInt(h, c.Image.Width)
				writeInt(h, c.Image.Height)
				h.Write(c.Image.Pix)
			}
		}
		s.hash = hex.EncodeToString(h.Sum(nil))
	})
	return s.hash
}

func writeInt(h hash.Hash, v int) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(v))
	h.Write(b[:])
}

func writeString(h hash.Hash, s string) {
	writeInt(h, len(s))
	h.Write([]byte(s))
}

// Images is the number of source images used.
func (s *Set) Images() int { return len(s.TrainIDs) + len(s.TestIDs) }

// String summarises the set in one line.
func (s *Set) String() string {
	return fmt.Sprintf("%s: %d crops of %dx%d from %d images: %d train (%d images), %d test (%d images), hash %s",
		s.Source, len(s.Train)+len(s.Test), s.Config.Size, s.Config.Size, s.Images(),
		len(s.Train), len(s.TrainIDs), len(s.Test), len(s.TestIDs), s.Hash()[:16])
}
