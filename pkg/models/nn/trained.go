package nn

import (
	"fmt"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// Loading trained models as ciphers (ours): what every model family whose
// trained models are ciphers (pkg/cipher's Family.Load) does the same way.

// ModelCache caches loaded models of type T by the SHA-256 of their
// weights file: a key-sensitivity test makes hundreds of ciphers of one
// model. It grows with the number of distinct models a process uses (a
// few). The zero value is ready; safe for concurrent use.
type ModelCache[T any] struct{ m sync.Map }

// Get returns the model of the weights file with hash sha, loading it with
// load on first use (concurrent first uses may both load; one result is
// kept).
func (c *ModelCache[T]) Get(sha string, load func() (T, error)) (T, error) {
	if v, ok := c.m.Load(sha); ok {
		return v.(T), nil
	}
	t, err := load()
	if err != nil {
		return t, err
	}
	v, _ := c.m.LoadOrStore(sha, t)
	return v.(T), nil
}

// RestoreWeights decodes a weights file (Checkpoint format tag format)
// read from path into a fresh store and its caller state into state
// (pointer), then calls validate (the state's own check; nil: none).
// Errors name the file and say it is not a weights file of what ("ANC",
// "GAN").
func RestoreWeights(path string, data []byte, format, what string, state any, validate func() error) (*model.Store, error) {
	name := safefile.Name(path)
	store := model.NewStore()
	ck, err := Checkpoint(store).Format(format).Done()
	if err != nil {
		return nil, err
	}
	snap, err := ck.Decode(data, state)
	if err == nil {
		err = snap.CheckFinite()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not a%s %s weights file: %w", name, article(what), what, err)
	}
	if validate != nil {
		if err := validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := snap.Restore(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return store, nil
}

// shapeReason is the one-line reason of a failed network run on a
// weights file: the variable whose shape differs from the network's
// (GoMLX words it "requested to reuse variable V, but with different
// shape") when that is the reason, else the whole error on one line.
func shapeReason(err error) string {
	msg := OneLine(err.Error())
	const marker = "requested to reuse variable "
	if i := strings.Index(msg, marker); i >= 0 {
		rest := msg[i+len(marker):]
		if j := strings.Index(rest, " "); j > 0 {
			v := strings.TrimRight(rest[:j], ",")
			return fmt.Sprintf("variable %s has another shape than its network needs (the file's config does not match its weights)", v)
		}
	}
	return msg
}

func article(what string) string {
	if what != "" && strings.ContainsRune("AEIOUaeiou", rune(what[0])) {
		return "n"
	}
	return ""
}

// CheckComplete runs each of the model's networks once (runs: name → a
// call on a tiny input) and fails unless every run works and none created
// a variable: a weights file must hold exactly the variables its networks
// use, with their shapes. A missing variable would be created (freshly
// initialised, a different network on every run), a wrong shape fails;
// both are the file's fault. Errors name the file (path) and what ("ANC").
func CheckComplete(store *model.Store, path, what string, runs map[string]func() error) error {
	name := safefile.Name(path)
	before := countVariables(store)
	for who, run := range runs {
		if err := run(); err != nil {
			return fmt.Errorf("%s: not a usable %s weights file (%s): %s", name, what, who, shapeReason(err))
		}
	}
	if after := countVariables(store); after != before {
		return fmt.Errorf("%s: not a complete %s weights file: the networks need %d variables it lacks", name, what, after-before)
	}
	return nil
}

// countVariables is the number of variables in the store.
func countVariables(store *model.Store) int {
	n := 0
	for range store.IterVariables() {
		n++
	}
	return n
}

// OneLine keeps the first line of a (possibly multi-line, stack-traced)
// GoMLX error.
func OneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// MaxImageShapes is how many image sizes a ShapeExecs keeps compiled graphs
// for (GoMLX's per-executable cache, graph.DefaultExecMaxCacheSize, fails
// beyond its size): at the next new size the executables are rebuilt and
// the old graphs dropped, so a long session with many sizes never fails.
const MaxImageShapes = 16

// ShapeExecs are the executables of a trained cipher (encrypt, decrypt,
// …) run on images of any size: calls are serialised, and the executables
// are rebuilt when a new size comes after MaxImageShapes sizes. Ours.
type ShapeExecs struct {
	mu     sync.Mutex
	execs  []*model.Exec
	build  func() ([]*model.Exec, error) // nil: never rebuilt
	shapes map[[2]int]bool
	built  bool // execs came from build (not the caller's): finalized when replaced
}

// NewShapeExecs returns the executables execs, rebuilt (all together) by
// build when needed; build nil keeps them for ever (a live model's, whose
// sizes are few).
func NewShapeExecs(execs []*model.Exec, build func() ([]*model.Exec, error)) *ShapeExecs {
	return &ShapeExecs{execs: execs, build: build}
}

// Exec runs executable i on an image of h × w with args.
func (t *ShapeExecs) Exec(i, h, w int, args ...any) ([]*tensors.Tensor, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if key := [2]int{h, w}; !t.shapes[key] {
		if len(t.shapes) >= MaxImageShapes && t.build != nil {
			execs, err := t.build()
			if err != nil {
				return nil, err
			}
			if t.built {
				// Ours to drop: release their compiled graphs now rather than
				// at a garbage collection (C memory on some backends).
				FinalizeExecs(t.execs...)
			}
			t.execs, t.shapes, t.built = execs, nil, true
		}
		if t.shapes == nil {
			t.shapes = map[[2]int]bool{}
		}
		t.shapes[key] = true
	}
	return t.execs[i].Exec(args...)
}

// Tiled runs a fully convolutional network of two inputs — an image and a
// per-pixel key plane, both [1, h, w, 1] float32 — over the 8-bit image g
// tile by tile and returns its output as an 8-bit image of g's size (each
// value clamped to 0 … 255 and truncated). Each tile of tile × tile
// pixels is computed with a margin of margin pixels of its neighbours (or
// the image border); with margin at least half the network's receptive
// field its pixels are exactly those of a whole-image run, while memory
// stays bounded by the tile whatever the image size. value maps g's
// pixels to the network's input; z is the key plane, h·w values in
// row-major order. run's errors are returned as they are. Tiled frees
// each tile's input tensors when run returns (run must not return them)
// and its output tensors once read (Free). Ours.
func Tiled(g *imageio.Gray, z []float32, tile, margin int, value func(uint8) float32, run func(h, w int, x, z *tensors.Tensor) ([]*tensors.Tensor, error)) (*imageio.Gray, error) {
	if len(z) != g.Width*g.Height || tile < 1 || margin < 0 {
		return nil, fmt.Errorf("nn: tiled run: %d key-plane values for %dx%d, tile %d, margin %d", len(z), g.Width, g.Height, tile, margin)
	}
	out := &imageio.Gray{Width: g.Width, Height: g.Height, Depth: g.Depth, Pix: make([]uint8, len(g.Pix))}
	for ty := 0; ty < g.Height; ty += tile {
		for tx := 0; tx < g.Width; tx += tile {
			// The window: the tile and its margin, clipped to the image.
			y0, y1 := max(ty-margin, 0), min(ty+tile+margin, g.Height)
			x0, x1 := max(tx-margin, 0), min(tx+tile+margin, g.Width)
			h, w := y1-y0, x1-x0
			xs, zs := make([]float32, 0, h*w), make([]float32, 0, h*w)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					xs = append(xs, value(g.Pix[y*g.Width+x]))
					zs = append(zs, z[y*g.Width+x])
				}
			}
			xt, zt := tensors.FromFlatDataAndDimensions(xs, 1, h, w, 1), tensors.FromFlatDataAndDimensions(zs, 1, h, w, 1)
			res, err := run(h, w, xt, zt)
			Free(xt, zt)
			if err != nil {
				return nil, err
			}
			v, err := tensors.CopyFlatData[float32](res[0])
			FreeAll(res)
			if err != nil {
				return nil, err
			}
			for y := ty; y < min(ty+tile, g.Height); y++ {
				for x := tx; x < min(tx+tile, g.Width); x++ {
					out.Pix[y*g.Width+x] = uint8(min(max(v[(y-y0)*w+(x-x0)], 0), 255))
				}
			}
		}
	}
	return out, nil
}

// LoadCodec loads the weights file of a trained image cipher made of two
// fully convolutional networks, each taking an image and a key plane
// ([1, h, w, 1] float32 each): it restores the file (RestoreWeights, with
// state and validate), builds the two executables with build on the
// default backend (pkg/backend) and checks that the file holds exactly
// their variables (one run of each on a 4×4 image; CheckComplete, names
// naming the networks in messages, what the model). The executables are
// rebuilt by build when images of many sizes come (ShapeExecs). Ours.
func LoadCodec(path string, data []byte, format, what string, state any, validate func() error,
	build func(be compute.Backend, store *model.Store) (enc, dec *model.Exec, err error), names [2]string) (*ShapeExecs, error) {
	be, err := backend.Default().New()
	if err != nil {
		return nil, err
	}
	store, err := RestoreWeights(path, data, format, what, state, validate)
	if err != nil {
		return nil, err
	}
	rebuild := func() ([]*model.Exec, error) {
		enc, dec, err := build(be, store)
		return []*model.Exec{enc, dec}, err
	}
	execs, err := rebuild()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", safefile.Name(path), err)
	}
	zero := tensors.FromFlatDataAndDimensions(make([]float32, 16), 1, 4, 4, 1)
	run := func(exec *model.Exec) func() error {
		return func() error { _, err := exec.Exec(zero, zero); return err }
	}
	if err := CheckComplete(store, path, what, map[string]func() error{names[0]: run(execs[0]), names[1]: run(execs[1])}); err != nil {
		return nil, err
	}
	se := NewShapeExecs(execs, rebuild)
	se.built = true // made by rebuild: finalized when replaced
	return se, nil
}
