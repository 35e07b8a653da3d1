package battery

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// Distortion damages a cipher image in transit (noise, lost blocks); the
// robustness test decrypts the damaged image and compares it with the plain
// one.
type Distortion struct {
	// Name is the table label, e.g. "salt & pepper 1 %".
	Name string
	// Apply returns a distorted copy of c (never modifying c); seed drives
	// any randomness, so the same seed gives the same damage.
	Apply func(c *imageio.Gray, seed uint64) *imageio.Gray
}

// DefaultDistortions are the distortions of the robustness test:
// salt-and-pepper noise on 1 % and 5 % of the pixels, additive Gaussian
// noise of σ = 1 and 5 grey levels, and occlusion of 1/16 and 1/4 of the
// image — the usual noise and cropping attacks of the image-cipher
// literature.
func DefaultDistortions() []Distortion {
	return []Distortion{SaltPepper(0.01), SaltPepper(0.05), Gaussian(1), Gaussian(5), Occlusion(1.0 / 16), Occlusion(1.0 / 4)}
}

// SaltPepper sets each pixel, independently with probability fraction, to
// 0 or the largest level (255, or 65535 at 16 bits), equally likely.
func SaltPepper(fraction float64) Distortion {
	return Distortion{Name: fmt.Sprintf("salt & pepper %g %%", 100*fraction), Apply: func(c *imageio.Gray, seed uint64) *imageio.Gray {
		out := c.Clone()
		r := seeds.SplitMix{State: seed}
		peak := out.MaxValue()
		for i := 0; i < out.Len(); i++ {
			if r.Float64() < fraction {
				out.SetSample(i, peak*int(r.Uint64()&1))
			}
		}
		return out
	}}
}

// Gaussian adds independent N(0, σ²) noise (σ in grey levels) to every
// pixel, rounds to the nearest level and clips to 0…2^depth − 1.
func Gaussian(sigma float64) Distortion {
	return Distortion{Name: fmt.Sprintf("Gaussian σ = %g", sigma), Apply: func(c *imageio.Gray, seed uint64) *imageio.Gray {
		out := c.Clone()
		r := seeds.SplitMix{State: seed}
		peak := float64(out.MaxValue())
		for i := 0; i < out.Len(); i++ {
			v := math.Round(float64(out.Sample(i)) + sigma*r.Normal())
			out.SetSample(i, int(math.Max(0, math.Min(peak, v))))
		}
		return out
	}}
}

// Occlusion sets to 0 a block at the top-left corner covering fraction of
// the image: ⌊√fraction·width⌉ × ⌊√fraction·height⌉ pixels (1/4: a quarter
// of the image; 1/16: a sixteenth). fraction is clamped to [0, 1].
func Occlusion(fraction float64) Distortion {
	fraction = math.Max(0, math.Min(1, fraction))
	name := fmt.Sprintf("occlusion %g", fraction)
	if inv := 1 / fraction; inv == math.Round(inv) {
		name = fmt.Sprintf("occlusion 1/%g", inv)
	}
	return Distortion{Name: name, Apply: func(c *imageio.Gray, _ uint64) *imageio.Gray {
		out := c.Clone()
		side := math.Sqrt(fraction)
		w, h := int(math.Round(side*float64(c.Width))), int(math.Round(side*float64(c.Height)))
		b := out.BytesPerSample()
		for y := 0; y < h; y++ {
			clear(out.Pix[y*c.Width*b : (y*c.Width+w)*b])
		}
		return out
	}}
}

// robustStats is the decryption quality of one cipher under one
// distortion (index 0: no distortion) on one crop.
type robustStats struct {
	MSE, SSIM float64
}

// distortionSeed is the seed of distortion d on the crop whose robustness
// seed is seed.
func distortionSeed(seed uint64, d int) uint64 { return seeds.Sub(seed, "distortion", d) }

// robustness decrypts each cipher's image of p after each distortion; the
// result is indexed [cipher·(1+len(distortions)) + distortion], distortion
// 0 being none.
func (bt *Battery) robustness(p *imageio.Gray, seed uint64) ([]robustStats, error) {
	var out []robustStats
	for _, k := range bt.keyed {
		c, err := k.c.Encrypt(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.name, err)
		}
		for d := -1; d < len(bt.cfg.robust); d++ {
			damaged, what := c, "no distortion"
			if d >= 0 {
				what = bt.cfg.robust[d].Name
				damaged = bt.cfg.robust[d].Apply(c, distortionSeed(seed, d))
			}
			back, err := k.c.Decrypt(damaged)
			if err != nil {
				return nil, fmt.Errorf("%s, %s: decrypting: %w", k.name, what, err)
			}
			var s robustStats
			if s.MSE, err = metrics.MSE(p, back); err != nil {
				return nil, fmt.Errorf("%s, %s: %w", k.name, what, err)
			}
			if s.SSIM, err = metrics.SSIM(p, back); err != nil {
				return nil, fmt.Errorf("%s, %s: %w", k.name, what, err)
			}
			out = append(out, s)
		}
	}
	return out, nil
}
