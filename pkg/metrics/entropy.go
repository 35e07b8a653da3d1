package metrics

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Local Shannon entropy parameters of Wu et al. (2013), "Local Shannon
// entropy measure with statistical tests for image randomness".
const (
	// LocalEntropyBlocks is the number k of non-overlapping blocks sampled.
	LocalEntropyBlocks = 30
	// LocalEntropyBlockSize is the side, in pixels, of each square block
	// (44×44 = 1936 pixels per block).
	LocalEntropyBlockSize = 44
)

// localEntropyStream is the second PCG word used with the caller's seed, so
// that the block choice is a fixed function of the seed alone.
const localEntropyStream = 0x6c6f63616c48 // "localH"

// Histogram returns the number of pixels of each grey level: 256 bins for
// an 8-bit image, 65536 for a 16-bit one.
func Histogram(g *imageio.Gray) ([]int, error) {
	if err := checkImage("histogram", g); err != nil {
		return nil, err
	}
	return histogramOf(g), nil
}

// histogramOf is the histogram of g at its depth.
func histogramOf(g *imageio.Gray) []int {
	if g.BitDepth() == imageio.Depth16 {
		h := make([]int, 1<<16)
		row := rows16(g)
		for y := range g.Height {
			for _, v := range row(y) {
				h[v]++
			}
		}
		return h
	}
	h := histogram(g.Pix)
	return h[:]
}

// histogram counts 8-bit levels with four interleaved tables, which avoids
// the store-to-load stall when neighbouring pixels are equal.
func histogram(pix []uint8) [256]int {
	var h0, h1, h2, h3 [256]int
	i := 0
	for ; i+4 <= len(pix); i += 4 {
		p := pix[i : i+4 : i+4]
		h0[p[0]]++
		h1[p[1]]++
		h2[p[2]]++
		h3[p[3]]++
	}
	for ; i < len(pix); i++ {
		h0[pix[i]]++
	}
	for v := range h0 {
		h0[v] += h1[v] + h2[v] + h3[v]
	}
	return h0
}

// entropyOfHistogram is −Σ p·log2 p over the non-empty bins, n = Σ counts.
func entropyOfHistogram(h []int, n int) float64 {
	inv := 1 / float64(n)
	var e float64
	for _, c := range h {
		if c == 0 {
			continue
		}
		p := float64(c) * inv
		e -= p * math.Log2(p)
	}
	return e
}

// Entropy returns the Shannon entropy, in bits per pixel, of the grey-level
// histogram of g over its 2^depth levels: H = −Σ p_i log2 p_i (0 log 0 =
// 0). It is the depth (8 or 16) for a perfectly uniform histogram and 0
// for a constant image.
func Entropy(g *imageio.Gray) (float64, error) {
	if err := checkImage("entropy", g); err != nil {
		return 0, err
	}
	return entropyOfHistogram(histogramOf(g), g.Len()), nil
}

// LocalEntropyResult is the outcome of LocalEntropy.
type LocalEntropyResult struct {
	// Mean is the mean Shannon entropy (bits) of the sampled blocks: the
	// local Shannon entropy.
	Mean float64
	// Std is the population standard deviation of the block entropies.
	Std float64
	// Requested is the number of blocks asked for; Used the number actually
	// sampled, which is smaller when the image cannot hold Requested
	// non-overlapping blocks (then Reduced is true and Note says so).
	Requested, Used int
	// BlockSize is the side of the square blocks in pixels.
	BlockSize int
	// Reduced reports Used < Requested.
	Reduced bool
	// Note is a human-readable remark, empty unless Reduced.
	Note string
	// Blocks are the top-left corners of the sampled blocks, in sampling order.
	Blocks []image.Point
}

// LocalEntropy returns the local Shannon entropy of g: the mean entropy of
// LocalEntropyBlocks random non-overlapping LocalEntropyBlockSize² blocks,
// chosen deterministically from seed. See LocalEntropyWith.
func LocalEntropy(g *imageio.Gray, seed uint64) (LocalEntropyResult, error) {
	return LocalEntropyWith(g, LocalEntropyBlocks, LocalEntropyBlockSize, seed)
}

// LocalEntropyWith is LocalEntropy with an explicit number of blocks and
// block side.
//
// Blocks are cells of a grid of side blockSize whose origin is shifted by a
// random offset (so that the grid covers a random part of the margins), and
// `blocks` distinct cells are drawn uniformly at random without replacement.
// Such a grid holds the largest possible number of axis-aligned
// non-overlapping blocks, ⌊W/s⌋·⌊H/s⌋. If that is fewer than requested, all
// cells are used and the result says so (Reduced, Note). Images smaller than
// one block are an error.
func LocalEntropyWith(g *imageio.Gray, blocks, blockSize int, seed uint64) (LocalEntropyResult, error) {
	if err := checkImage("local-entropy", g); err != nil {
		return LocalEntropyResult{}, err
	}
	if blocks <= 0 {
		return LocalEntropyResult{}, fmt.Errorf("metrics: local entropy needs a positive number of blocks, got %d", blocks)
	}
	if blockSize <= 0 {
		return LocalEntropyResult{}, fmt.Errorf("metrics: local entropy needs a positive block size, got %d", blockSize)
	}
	if g.Width < blockSize || g.Height < blockSize {
		return LocalEntropyResult{}, fmt.Errorf("metrics: local entropy: %dx%d image is smaller than one %dx%d block",
			g.Width, g.Height, blockSize, blockSize)
	}
	cols, rows := g.Width/blockSize, g.Height/blockSize
	cells := cols * rows
	res := LocalEntropyResult{Requested: blocks, Used: min(blocks, cells), BlockSize: blockSize}
	if res.Used < blocks {
		res.Reduced = true
		res.Note = fmt.Sprintf("only %d non-overlapping %dx%d blocks fit a %dx%d image; used %d instead of %d",
			cells, blockSize, blockSize, g.Width, g.Height, res.Used, blocks)
	}

	rng := rand.New(rand.NewPCG(seed, localEntropyStream))
	ox := rng.IntN(g.Width - cols*blockSize + 1)
	oy := rng.IntN(g.Height - rows*blockSize + 1)
	order := make([]int, cells)
	for i := range order {
		order[i] = i
	}
	// Partial Fisher–Yates: the first Used entries are a uniform sample.
	for i := 0; i < res.Used; i++ {
		j := i + rng.IntN(cells-i)
		order[i], order[j] = order[j], order[i]
	}

	ents := make([]float64, res.Used)
	h := make([]int, g.Levels())
	res.Blocks = make([]image.Point, res.Used)
	var sum float64
	for i := range res.Used {
		c := order[i]
		x0, y0 := ox+(c%cols)*blockSize, oy+(c/cols)*blockSize
		res.Blocks[i] = image.Pt(x0, y0)
		clear(h)
		for y := y0; y < y0+blockSize; y++ {
			for x := x0; x < x0+blockSize; x++ {
				h[g.Sample(y*g.Width+x)]++
			}
		}
		ents[i] = entropyOfHistogram(h, blockSize*blockSize)
		sum += ents[i]
	}
	res.Mean = sum / float64(res.Used)
	var ss float64
	for _, e := range ents {
		ss += (e - res.Mean) * (e - res.Mean)
	}
	res.Std = math.Sqrt(ss / float64(res.Used))
	return res, nil
}
