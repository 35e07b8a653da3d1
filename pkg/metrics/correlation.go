package metrics

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Direction selects which neighbour forms an adjacent-pixel pair.
type Direction int

// Directions of adjacency. The pair of pixel (x, y) is (x+1, y) for
// Horizontal, (x, y+1) for Vertical and (x+1, y+1) for Diagonal (the main
// diagonal, top-left to bottom-right).
const (
	Horizontal Direction = iota
	Vertical
	Diagonal
)

// Directions lists the three directions in the order H, V, D.
var Directions = []Direction{Horizontal, Vertical, Diagonal}

// String returns "horizontal", "vertical" or "diagonal".
func (d Direction) String() string {
	switch d {
	case Horizontal:
		return "horizontal"
	case Vertical:
		return "vertical"
	case Diagonal:
		return "diagonal"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// offset returns the (dx, dy) of the neighbour, or an error.
func (d Direction) offset() (dx, dy int, err error) {
	switch d {
	case Horizontal:
		return 1, 0, nil
	case Vertical:
		return 0, 1, nil
	case Diagonal:
		return 1, 1, nil
	}
	return 0, 0, fmt.Errorf("metrics: unknown correlation direction %d (want Horizontal, Vertical or Diagonal)", int(d))
}

// AdjacentCorrelation holds the Pearson correlation coefficients of
// adjacent pixels in the three directions.
type AdjacentCorrelation struct {
	H, V, D float64
}

// Get returns the coefficient for one direction (NaN for an unknown one).
func (c AdjacentCorrelation) Get(d Direction) float64 {
	switch d {
	case Horizontal:
		return c.H
	case Vertical:
		return c.V
	case Diagonal:
		return c.D
	}
	return math.NaN()
}

// pairSums are the exact integer sums Pearson's r needs over n pairs (x, y).
type pairSums struct {
	n, sx, sy, sxx, syy, sxy uint64
}

// pearson computes r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)) with
// exact big-integer numerators, so nearly constant images lose no precision.
// It is NaN when there are no pairs or either variance is zero.
func (s pairSums) pearson() float64 {
	if s.n == 0 {
		return math.NaN()
	}
	n := new(big.Int).SetUint64(s.n)
	moment := func(sab, sa, sb uint64) *big.Int {
		r := new(big.Int).Mul(n, new(big.Int).SetUint64(sab))
		return r.Sub(r, new(big.Int).Mul(new(big.Int).SetUint64(sa), new(big.Int).SetUint64(sb)))
	}
	cov := moment(s.sxy, s.sx, s.sy)
	vx := moment(s.sxx, s.sx, s.sx)
	vy := moment(s.syy, s.sy, s.sy)
	if vx.Sign() == 0 || vy.Sign() == 0 {
		return math.NaN()
	}
	c, _ := new(big.Float).SetInt(cov).Float64()
	a, _ := new(big.Float).SetInt(vx).Float64()
	b, _ := new(big.Float).SetInt(vy).Float64()
	r := c / (math.Sqrt(a) * math.Sqrt(b))
	return math.Max(-1, math.Min(1, r))
}

// Correlations returns the Pearson correlation coefficient of adjacent
// pixels over ALL adjacent pairs in each direction: (W−1)·H horizontal,
// W·(H−1) vertical and (W−1)·(H−1) diagonal pairs, in one integer pass.
//
// A coefficient is NaN when it is undefined: when there are no pairs in
// that direction (an image one pixel wide or high) or when the first or
// second pixels of the pairs have zero variance (e.g. a constant image). NaN
// is deliberately not replaced by 0, which would claim "uncorrelated" for an
// image that is maximally predictable.
func Correlations(g *imageio.Gray) (AdjacentCorrelation, error) {
	if err := checkImage("correlation", g); err != nil {
		return AdjacentCorrelation{}, err
	}
	if g.BitDepth() == imageio.Depth16 {
		return correlations(rows16(g), g.Width, g.Height), nil
	}
	return correlations(rows8(g), g.Width, g.Height), nil
}

// correlations is Correlations on the samples of a w×hgt image, read a row
// at a time (row(y) and row(y+1) are held together; 16-bit samples keep
// the integer sums exact: 65535² · 2³⁰ < 2⁶⁴).
func correlations[S sample](row func(y int) []S, w, hgt int) AdjacentCorrelation {
	var total, totalSq, sxyH, sxyV, sxyD uint64
	// Border sums: first/last row and column (sum and sum of squares).
	var row0, row0Sq, rowL, rowLSq, col0, col0Sq, colL, colLSq uint64
	var first, last uint64
	for y := 0; y < hgt; y++ {
		r := row(y)[:w:w]
		lastX := uint64(r[w-1])
		s, sq := lastX, lastX*lastX
		var hs, vs, ds uint64
		if y+1 < hgt {
			nx := row(y + 1)[:w:w]
			for x := 0; x < w-1; x++ {
				u, right, below := uint64(r[x]), uint64(r[x+1]), uint64(nx[x])
				s += u
				sq += u * u
				hs += u * right
				vs += u * below
				ds += u * uint64(nx[x+1])
			}
			vs += lastX * uint64(nx[w-1])
		} else {
			for x := 0; x < w-1; x++ {
				u := uint64(r[x])
				s += u
				sq += u * u
				hs += u * uint64(r[x+1])
			}
		}
		total += s
		totalSq += sq
		sxyH += hs
		sxyV += vs
		sxyD += ds
		if y == 0 {
			first = uint64(r[0])
			for _, v := range r {
				a := uint64(v)
				row0, row0Sq = row0+a, row0Sq+a*a
			}
		}
		if y == hgt-1 {
			last = lastX
			for _, v := range r {
				b := uint64(v)
				rowL, rowLSq = rowL+b, rowLSq+b*b
			}
		}
		a, b := uint64(r[0]), lastX
		col0, col0Sq, colL, colLSq = col0+a, col0Sq+a*a, colL+b, colLSq+b*b
	}
	uw, uh := uint64(w), uint64(hgt)

	h := pairSums{n: (uw - 1) * uh, sxy: sxyH,
		sx: total - colL, sxx: totalSq - colLSq,
		sy: total - col0, syy: totalSq - col0Sq}
	v := pairSums{n: uw * (uh - 1), sxy: sxyV,
		sx: total - rowL, sxx: totalSq - rowLSq,
		sy: total - row0, syy: totalSq - row0Sq}
	d := pairSums{n: (uw - 1) * (uh - 1), sxy: sxyD,
		sx: total - colL - rowL + last, sxx: totalSq - colLSq - rowLSq + last*last,
		sy: total - col0 - row0 + first, syy: totalSq - col0Sq - row0Sq + first*first}
	return AdjacentCorrelation{H: h.pearson(), V: v.pearson(), D: d.pearson()}
}

// Correlation returns the adjacent-pixel correlation coefficient of g in one
// direction; see Correlations for the definition and the NaN convention.
func Correlation(g *imageio.Gray, dir Direction) (float64, error) {
	if _, _, err := dir.offset(); err != nil {
		return 0, err
	}
	c, err := Correlations(g)
	if err != nil {
		return 0, err
	}
	return c.Get(dir), nil
}

// Pair is one pair of adjacent samples: X at (x, y), Y at its neighbour in
// the chosen direction.
type Pair struct {
	X, Y int
}

// pairStream is the second PCG word used with the caller's seed.
const pairStream = 0x7061697273 // "pairs"

// AdjacentPairs returns a sample of n distinct adjacent pairs in direction
// dir, drawn uniformly without replacement with a generator seeded by seed
// (for correlation scatter plots). When n is at least the number of pairs,
// all pairs are returned in raster order. An image without pairs in that
// direction yields an empty slice.
func AdjacentPairs(g *imageio.Gray, dir Direction, n int, seed uint64) ([]Pair, error) {
	if err := checkImage("adjacent-pairs", g); err != nil {
		return nil, err
	}
	dx, dy, err := dir.offset()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, fmt.Errorf("metrics: adjacent pairs: negative sample size %d", n)
	}
	pw, ph := g.Width-dx, g.Height-dy // grid of first pixels
	total := pw * ph
	at := func(k int) Pair {
		x, y := k%pw, k/pw
		return Pair{X: g.Sample(y*g.Width + x), Y: g.Sample((y+dy)*g.Width + x + dx)}
	}
	if n >= total {
		out := make([]Pair, 0, max(total, 0))
		for k := 0; k < total; k++ {
			out = append(out, at(k))
		}
		return out, nil
	}
	// Floyd's algorithm: n distinct indices in [0, total), O(n) memory.
	rng := rand.New(rand.NewPCG(seed, pairStream))
	seen := make(map[int]struct{}, n)
	out := make([]Pair, 0, n)
	for j := total - n; j < total; j++ {
		t := rng.IntN(j + 1)
		if _, dup := seen[t]; dup {
			t = j
		}
		seen[t] = struct{}{}
		out = append(out, at(t))
	}
	return out, nil
}
