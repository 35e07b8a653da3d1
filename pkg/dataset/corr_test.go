package dataset

import (
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// adjCorr is the Pearson correlation of horizontally adjacent pixels.
func adjCorr(g *imageio.Gray) float64 {
	var n, sx, sy, sxx, syy, sxy float64
	for y := 0; y < g.Height; y++ {
		for x := 0; x+1 < g.Width; x++ {
			a, b := float64(g.At(x, y)), float64(g.At(x+1, y))
			n++
			sx += a
			sy += b
			sxx += a * a
			syy += b * b
			sxy += a * b
		}
	}
	cov := sxy/n - sx/n*sy/n
	return cov / math.Sqrt((sxx/n-sx/n*sx/n)*(syy/n-sy/n*sy/n))
}
