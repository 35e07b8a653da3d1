package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"iter"
	"runtime"
	"sync"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// group is the crops of one source image, adjacent in a plan's order.
type group []CropRef

// groups cuts refs into runs of crops of the same source image.
func groups(refs []CropRef) []group {
	var gs []group
	for i := 0; i < len(refs); {
		j := i + 1
		for j < len(refs) && refs[j].Image == refs[i].Image {
			j++
		}
		gs = append(gs, group(refs[i:j]))
		i = j
	}
	return gs
}

// Workers is the default number of source images a stream decodes ahead,
// in parallel: min(GOMAXPROCS, 8). A stream holds at most Workers()+1
// decoded source images at once (those decoding or decoded and waiting,
// and the one being consumed).
func Workers() int { return min(runtime.GOMAXPROCS(0), maxLoadWorkers) }

// Stream yields the crops of split in the plan's order, decoding each
// source image once, with Workers() images decoded ahead in parallel. The
// order (and so everything computed from it) does not depend on which
// decode finishes first. An error ends the stream after it is yielded; so
// do an unknown split, ctx being cancelled (with ctx's error) and the
// consumer stopping.
func (p *Plan) Stream(ctx context.Context, split Split) iter.Seq2[Crop, error] {
	if !split.Valid() {
		return func(yield func(Crop, error) bool) {
			yield(Crop{}, fmt.Errorf("dataset: unknown split %q (want %q, %q or %q)", split, Train, Test, All))
		}
	}
	return p.streamGroups(ctx, groups(p.Refs(split)), Workers())
}

// loaded is one decoded group, or why it could not be.
type loaded struct {
	crops []Crop
	err   error
}

// streamGroups decodes groups, each in its own goroutine, at most workers
// ahead of the consumer (the capacity of futures), and yields their crops
// in order.
func (p *Plan) streamGroups(ctx context.Context, gs []group, workers int) iter.Seq2[Crop, error] {
	return func(yield func(Crop, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		// On return, wait for the loads still running: when the iterator
		// returns, nothing reads the source any more (it may be closed).
		var inflight sync.WaitGroup
		defer inflight.Wait()
		defer cancel()
		// futures carries one result channel per group, in order.
		futures := make(chan chan loaded, max(1, workers)-1)
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			defer close(futures)
			for _, g := range gs {
				fut := make(chan loaded, 1)
				select {
				case futures <- fut:
				case <-ctx.Done():
					return
				}
				inflight.Add(1)
				go func(g group) {
					defer inflight.Done()
					fut <- p.load(g)
				}(g)
			}
		}()
		for fut := range futures {
			if err := ctx.Err(); err != nil {
				yield(Crop{}, err)
				return
			}
			var l loaded
			select {
			case l = <-fut:
			case <-ctx.Done():
				yield(Crop{}, ctx.Err())
				return
			}
			if l.err != nil {
				yield(Crop{}, l.err)
				return
			}
			for _, c := range l.crops {
				if !yield(c, nil) {
					return
				}
			}
		}
		if err := ctx.Err(); err != nil {
			yield(Crop{}, err)
		}
	}
}

// load decodes one source image and cuts its crops. A source that breaks
// its contract (a nil or inconsistent image, a panic) gives an error
// naming the image, never a crash of the stream's goroutines.
func (p *Plan) load(g group) (l loaded) {
	defer func() {
		if r := recover(); r != nil {
			l = loaded{err: fmt.Errorf("%s: loading image %q panicked: %v", p.src.Name(), g[0].ImageID, r)}
		}
	}()
	img, err := p.src.Load(g[0].Image)
	if err != nil {
		return loaded{err: err}
	}
	if img.Check() != nil { // nil, negative size, or pixels that do not match size and depth
		return loaded{err: fmt.Errorf("%s: image %q: the source returned an invalid image", p.src.Name(), g[0].ImageID)}
	}
	if sz, ok := p.src.(Sizer); ok {
		if w, h, err := sz.Size(g[0].Image); err == nil && (w != img.Width || h != img.Height) {
			return loaded{err: fmt.Errorf("%s: image %q is %dx%d, but the source said %dx%d", p.src.Name(), g[0].ImageID, img.Width, img.Height, w, h)}
		}
	}
	out := make([]Crop, len(g))
	for k, r := range g {
		c, err := img.SubImage(r.X, r.Y, p.Config.Size, p.Config.Size)
		if err != nil {
			return loaded{err: fmt.Errorf("%s: image %q: %v", p.src.Name(), r.ImageID, err)}
		}
		out[k] = Crop{ImageID: r.ImageID, X: r.X, Y: r.Y, Image: c}
	}
	return loaded{crops: out}
}

// Hasher computes a plan's content hash from its crops, fed in the order of
// split All (as Stream(ctx, All) yields them), so that a pass over the data
// that does other work hashes it on the way. The hash is the hex SHA-256 of
// a format tag, the crop size, then for the train and then the test crops
// their count and, for each crop in order, its image ID, position, size and
// pixels. Two plans with the same hash hold the same crops in the same
// split and order.
type Hasher struct {
	plan *Plan
	w    cropHash
	n    int  // crops added
	test bool // the test section's header is written
}

// cropHash writes the hashed layout (see Hasher).
type cropHash struct{ h hash.Hash }

func newCropHash(size int) cropHash {
	c := cropHash{h: sha256.New()}
	c.h.Write([]byte(hashVersion))
	writeInt(c.h, size)
	return c
}

func (c cropHash) section(name string, n int) {
	writeString(c.h, name)
	writeInt(c.h, n)
}

func (c cropHash) crop(cr Crop) {
	writeString(c.h, cr.ImageID)
	writeInt(c.h, cr.X)
	writeInt(c.h, cr.Y)
	writeInt(c.h, cr.Image.Width)
	writeInt(c.h, cr.Image.Height)
	c.h.Write(cr.Image.Pix)
}

func (c cropHash) sum() string { return hex.EncodeToString(c.h.Sum(nil)) }

// hashCrops is the content hash of train and test crops of the given size.
func hashCrops(size int, train, test []Crop) string {
	c := newCropHash(size)
	for _, part := range []struct {
		name  string
		crops []Crop
	}{{"train", train}, {"test", test}} {
		c.section(part.name, len(part.crops))
		for _, cr := range part.crops {
			c.crop(cr)
		}
	}
	return c.sum()
}

// NewHasher starts the content hash of p.
func (p *Plan) NewHasher() *Hasher {
	h := &Hasher{plan: p, w: newCropHash(p.Config.Size)}
	h.w.section("train", len(p.Train))
	return h
}

// startTest writes the test part's header once, when the train part is done.
func (h *Hasher) startTest() {
	if !h.test && h.n == len(h.plan.Train) {
		h.w.section("test", len(h.plan.Test))
		h.test = true
	}
}

// Add hashes the next crop. It is an error if c is not the plan's next
// crop (another image or position) or if every crop was already added.
func (h *Hasher) Add(c Crop) error {
	refs, k := h.plan.Train, h.n
	if k >= len(refs) {
		refs, k = h.plan.Test, k-len(h.plan.Train)
	}
	if k >= len(refs) {
		return fmt.Errorf("dataset: hashing %s: more than the plan's %d crops", h.plan.src.Name(), h.plan.Len(All))
	}
	if r := refs[k]; r.ImageID != c.ImageID || r.X != c.X || r.Y != c.Y || c.Image == nil {
		return fmt.Errorf("dataset: hashing %s: crop %d is %q at (%d,%d), the plan's is %q at (%d,%d)",
			h.plan.src.Name(), h.n, c.ImageID, c.X, c.Y, r.ImageID, r.X, r.Y)
	}
	h.startTest()
	h.w.crop(c)
	h.n++
	return nil
}

// Sum returns the hash; it is an error unless every crop was added.
func (h *Hasher) Sum() (string, error) {
	if h.n != h.plan.Len(All) {
		return "", fmt.Errorf("dataset: hashing %s: %d of %d crops added", h.plan.src.Name(), h.n, h.plan.Len(All))
	}
	h.startTest()
	return h.w.sum(), nil
}

// Hash streams every crop of the plan once and returns its content hash
// (see Hasher).
func (p *Plan) Hash(ctx context.Context) (string, error) {
	h := p.NewHasher()
	for c, err := range p.Stream(ctx, All) {
		if err != nil {
			return "", err
		}
		if err := h.Add(c); err != nil {
			return "", err
		}
	}
	return h.Sum()
}

// Sample is one labelled example: a crop (possibly transformed, e.g.
// encrypted) with a class label, a per-pixel mask, or both.
type Sample struct {
	Crop
	// Label is the class index; NoLabel when the task has none.
	Label int
	// Mask is a per-pixel target of the crop's size (e.g. a segmentation
	// or the plain image behind a cipher image); nil when there is none.
	Mask *imageio.Gray
}

// NoLabel is Sample.Label of unlabelled samples.
const NoLabel = -1

// Labeler turns one crop into the samples it contributes, in a
// deterministic order. A task whose classes are derived from the crops
// (plain vs encrypted, which cipher, cover vs stego) returns one sample per
// class, so that every class is built from the same source crops. It is
// called from the goroutine that iterates the batches, one crop at a time.
type Labeler func(c Crop) ([]Sample, error)

// Unlabelled is the default Labeler: the crop itself, with NoLabel.
func Unlabelled(c Crop) ([]Sample, error) { return []Sample{{Crop: c, Label: NoLabel}}, nil }

// Labelled is a Source whose images carry a class label, a per-pixel mask
// (an image of the same size: a segmentation, a stego change map, the
// plain image behind a cipher image), or both.
type Labelled interface {
	Source
	// Label is image i's class, or NoLabel.
	Label(i int) int
	// LoadMask decodes image i's mask, of image i's size; nil (and no
	// error) when it has none.
	LoadMask(i int) (*imageio.Gray, error)
}

// WithLabels returns src with a class for each image, label(ID) (which may
// return NoLabel), and no masks.
func WithLabels(src Source, label func(id string) int) Labelled {
	return &withLabels{Source: src, label: label}
}

type withLabels struct {
	Source
	label func(id string) int
}

func (w *withLabels) Label(i int) int                     { return w.label(w.ID(i)) }
func (w *withLabels) LoadMask(int) (*imageio.Gray, error) { return nil, nil }
func (w *withLabels) Size(i int) (int, int, error)        { return sizeOf(w.Source, i) }
func (w *withLabels) Fingerprint() string                 { return Fingerprint(w.Source) }
func (w *withLabels) Unwrap() Source                      { return w.Source }

// sizeOf is src's Sizer answer, or the decoded image's size.
func sizeOf(src Source, i int) (int, int, error) {
	if sz, ok := src.(Sizer); ok {
		return sz.Size(i)
	}
	g, err := src.Load(i)
	if err != nil {
		return 0, 0, err
	}
	return g.Width, g.Height, nil
}

// SourceLabels returns the Labeler of a plan over a Labelled source: each
// crop becomes one sample with its source image's label and the matching
// crop of the image's mask (nil when the image has none). It is an error
// when the plan's source is not Labelled.
func (p *Plan) SourceLabels() (Labeler, error) {
	ls, ok := p.src.(Labelled)
	if !ok {
		return nil, fmt.Errorf("dataset: source %s has no labels or masks (it is not a dataset.Labelled)", p.src.Name())
	}
	index := map[string]int{}
	for _, r := range p.Refs(All) {
		index[r.ImageID] = r.Image
	}
	// The crops of one image arrive together: keep its mask for them
	// (under a lock: one Labeler may serve several iterations at once).
	var mu sync.Mutex
	lastImage, lastMask := -1, (*imageio.Gray)(nil)
	return func(c Crop) ([]Sample, error) {
		i, ok := index[c.ImageID]
		if !ok {
			return nil, fmt.Errorf("crop of %q: not an image of the plan", c.ImageID)
		}
		s := Sample{Crop: c, Label: ls.Label(i)}
		mu.Lock()
		defer mu.Unlock()
		if i != lastImage {
			m, err := ls.LoadMask(i)
			if err != nil {
				return nil, err
			}
			if m != nil && m.Check() != nil {
				return nil, fmt.Errorf("mask of %q: the source returned an invalid image", c.ImageID)
			}
			lastImage, lastMask = i, m
		}
		if lastMask != nil {
			m, err := lastMask.SubImage(c.X, c.Y, c.Image.Width, c.Image.Height)
			if err != nil {
				return nil, fmt.Errorf("mask of %q: %v", c.ImageID, err)
			}
			s.Mask = m
		}
		return []Sample{s}, nil
	}, nil
}
