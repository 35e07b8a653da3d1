package dataset

import (
	"context"
	"encoding/binary"
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
	// maxLoadWorkers bounds the images decoded at once (Workers).
	maxLoadWorkers = 8
	// hashVersion is written first into Set.Hash, so that a change to the
	// hashed layout changes every hash.
	hashVersion = "neurocrypt/dataset.Set v1"
)

// CropConfig says how NewPlan crops and splits a Source.
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

// CropRef names a crop without its pixels: which source image and where.
type CropRef struct {
	Image   int    // index of the source image in the Source
	ImageID string // its ID
	X, Y    int    // top-left corner
}

// Split names a side of a Plan.
type Split string

// Splits.
const (
	Train Split = "train"
	Test  Split = "test"
	// All is the train crops followed by the test crops.
	All Split = "all"
)

// Plan is a cropped dataset split by source image, without its pixels: the
// crops each side uses, in order. No image has crops in both Train and
// Test. Both lists are in source order, and within an image in row-major
// tile order, so the crops of one image are adjacent. A Plan streams its
// pixels on demand (Stream, Batches): memory is bounded by the images being
// decoded, never the data set (BOSSbase at paper scale is 40 000 crops of
// 256², 2.6 GB of pixels).
type Plan struct {
	src Source
	// Config is the configuration used, with defaults filled in.
	Config CropConfig
	// TrainIDs and TestIDs are the source images on each side, in source order.
	TrainIDs, TestIDs []string
	// Train and Test are the crops of each side.
	Train, Test []CropRef
}

// Sizer is implemented by sources that know an image's size without
// decoding its pixels (all of this package's sources do). NewPlan decodes
// the images of other sources once to learn their sizes.
type Sizer interface {
	// Size returns the width and height of image i.
	Size(i int) (width, height int, err error)
}

// NewPlan chooses, crops and splits the images of src; it reads image sizes
// only (see Sizer), never pixels.
//
// The split: the chosen images are ordered by a seeded shuffle of their
// IDs; the first round(TestFraction·n) go to test — at least one when
// n ≥ 2, and never all of them, so train is not empty — and the rest to
// train. With BOSSbase (10 000 images), Size 256 and the defaults this gives
// 40 000 crops: 32 000 train from 8 000 images, 8 000 test from 2 000.
//
// An image smaller than Size×Size is an error naming the image (rather
// than a silent skip, which would change the data behind a profile
// unnoticed).
func NewPlan(src Source, cfg CropConfig) (*Plan, error) {
	if src == nil {
		return nil, fmt.Errorf("dataset.NewPlan: nil source")
	}
	if cfg.PerImage == 0 {
		cfg.PerImage = DefaultPerImage
	}
	if cfg.TestFraction == 0 {
		cfg.TestFraction = DefaultTestFraction
	}
	switch {
	case cfg.Size < 1:
		return nil, fmt.Errorf("dataset.NewPlan: crop Size=%d must be positive", cfg.Size)
	case cfg.PerImage < 1:
		return nil, fmt.Errorf("dataset.NewPlan: PerImage=%d must be positive", cfg.PerImage)
	case cfg.MaxImages < 0:
		return nil, fmt.Errorf("dataset.NewPlan: MaxImages=%d must not be negative", cfg.MaxImages)
	case !(cfg.TestFraction > 0 && cfg.TestFraction < 1):
		return nil, fmt.Errorf("dataset.NewPlan: TestFraction=%g must be in (0, 1)", cfg.TestFraction)
	}
	n := src.Len()
	if n < 1 {
		return nil, fmt.Errorf("dataset.NewPlan: source %s has no images", src.Name())
	}
	ids := make([]string, n)
	seen := make(map[string]int, n)
	all := make([]int, n)
	for i := range ids {
		ids[i] = src.ID(i)
		if j, dup := seen[ids[i]]; dup {
			return nil, fmt.Errorf("dataset.NewPlan: source %s has images %d and %d with the same ID %q", src.Name(), j, i, ids[i])
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

	sizes, err := imageSizes(src, chosen)
	if err != nil {
		return nil, err
	}
	p := &Plan{src: src, Config: cfg}
	for k, i := range chosen {
		w, h := sizes[k][0], sizes[k][1]
		if w < cfg.Size || h < cfg.Size {
			return nil, fmt.Errorf("dataset.NewPlan: image %q of %s is %dx%d, smaller than the %dx%d crop",
				ids[i], src.Name(), w, h, cfg.Size, cfg.Size)
		}
		var refs []CropRef
		for _, o := range TileOrigins(w, h, ids[i], cfg) {
			refs = append(refs, CropRef{Image: i, ImageID: ids[i], X: o[0], Y: o[1]})
		}
		if isTest[i] {
			p.TestIDs = append(p.TestIDs, ids[i])
			p.Test = append(p.Test, refs...)
		} else {
			p.TrainIDs = append(p.TrainIDs, ids[i])
			p.Train = append(p.Train, refs...)
		}
	}
	return p, nil
}

// imageSizes returns the sizes of the chosen images: from the source's
// Sizer, or by decoding them (in parallel, a few at a time).
func imageSizes(src Source, chosen []int) ([][2]int, error) {
	sizes := make([][2]int, len(chosen))
	if sz, ok := src.(Sizer); ok {
		for k, i := range chosen {
			w, h, err := sz.Size(i)
			if err != nil {
				return nil, err
			}
			sizes[k] = [2]int{w, h}
		}
		return sizes, nil
	}
	errs := make([]error, len(chosen))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), maxLoadWorkers, len(chosen)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1) - 1); k < len(chosen); k = int(next.Add(1) - 1) {
				g, err := src.Load(chosen[k])
				if err != nil {
					errs[k] = err
					continue
				}
				sizes[k] = [2]int{g.Width, g.Height}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return sizes, nil
}

// Source returns the source the plan crops.
func (p *Plan) Source() Source { return p.src }

// Valid reports whether s is Train, Test or All.
func (s Split) Valid() bool { return s == Train || s == Test || s == All }

// Refs returns the crops of a split, in order (All: train, then test); nil
// for an unknown split.
func (p *Plan) Refs(split Split) []CropRef {
	switch split {
	case Train:
		return p.Train
	case Test:
		return p.Test
	case All:
		return append(append(make([]CropRef, 0, len(p.Train)+len(p.Test)), p.Train...), p.Test...)
	}
	return nil
}

// Len is the number of crops of a split (0 for an unknown split).
func (p *Plan) Len(split Split) int { return len(p.Refs(split)) }

// Images is the number of source images used.
func (p *Plan) Images() int { return len(p.TrainIDs) + len(p.TestIDs) }

// String summarises the plan in one line.
func (p *Plan) String() string {
	return fmt.Sprintf("%s: %d crops of %dx%d from %d images: %d train (%d images), %d test (%d images)",
		p.src.Name(), p.Len(All), p.Config.Size, p.Config.Size, p.Images(),
		len(p.Train), len(p.TrainIDs), len(p.Test), len(p.TestIDs))
}

// Set is a Plan loaded whole into memory. Fine for small sets (tests,
// notebooks, the smoke and quick profiles); use Plan.Stream or
// Plan.Batches for anything larger.
type Set struct {
	// Plan is what was loaded.
	Plan *Plan
	// Source is the Source's Name.
	Source string
	// Config is the plan's configuration, with defaults filled in.
	Config CropConfig
	// TrainIDs and TestIDs are the source images on each side, in source order.
	TrainIDs, TestIDs []string
	// Train and Test are the crops of each side, in the plan's order.
	Train, Test []Crop

	hashOnce sync.Once
	hash     string
}

// NewSet plans (NewPlan) and loads every crop of src.
func NewSet(src Source, cfg CropConfig) (*Set, error) {
	p, err := NewPlan(src, cfg)
	if err != nil {
		return nil, err
	}
	s := &Set{Plan: p, Source: src.Name(), Config: p.Config, TrainIDs: p.TrainIDs, TestIDs: p.TestIDs}
	for c, err := range p.Stream(context.Background(), All) {
		if err != nil {
			return nil, err
		}
		if len(s.Train) < len(p.Train) {
			s.Train = append(s.Train, c)
		} else {
			s.Test = append(s.Test, c)
		}
	}
	return s, nil
}

// Images is the number of source images used.
func (s *Set) Images() int { return len(s.TrainIDs) + len(s.TestIDs) }

// String summarises the set in one line, with its content hash.
func (s *Set) String() string { return s.Plan.String() + ", hash " + s.Hash()[:16] }

// TestCount is the number of test images NewPlan uses for n images:
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

// TileOrigins returns the top-left corners of the crops NewPlan takes from
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
		rng := &splitMix{State: keyOf(cfg.Seed, "tiles", id)}
		pick = append(pick, rng.Perm(tiles)[:cfg.PerImage]...)
		sort.Ints(pick)
	}
	out := make([][2]int, len(pick))
	for k, t := range pick {
		out[k] = [2]int{(t % cols) * cfg.Size, (t / cols) * cfg.Size}
	}
	return out
}

// Hash is the content hash of the set's crops, as they are now (the layout
// of Hasher: a set as NewSet loaded it has its plan's hash), computed once.
func (s *Set) Hash() string {
	s.hashOnce.Do(func() { s.hash = hashCrops(s.Config.Size, s.Train, s.Test) })
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
