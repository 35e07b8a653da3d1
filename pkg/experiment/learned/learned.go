// Package learned holds what the experiments of learned ciphers (the GAN
// cipher, the agile cipher) share: decrypting held-out crops with the
// right and a wrong key, the sample panels, the reconstruction table, the
// survey claims of one family, the weights' hash. Ours.
package learned

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Reconstruction holds right- and wrong-key decryptions of every
// measurement crop, the pooled histogram test of their cipher images and
// the sample panels.
type Reconstruction struct {
	// Crops is the number of crops decrypted.
	Crops int
	// Per-crop PSNR (dB) and SSIM against the plain crop: the right key's
	// decryption, the wrong key's, and the cipher image itself.
	RightPSNR, RightSSIM   []float64
	WrongPSNR, WrongSSIM   []float64
	CipherPSNR, CipherSSIM []float64
	// Pooled is the χ² test of every cipher pixel, pooled (PooledPixels).
	Pooled       metrics.ChiSquareResult
	PooledPixels int
	// Panels are the sample images, one row per sample; Where the crops
	// shown, "image (x, y)", one per row.
	Panels []results.ImagePanel
	Where  []string
	// Key is the key line used.
	Key string
}

// Reconstruct encrypts every crop of plan with the scheme name under the
// key drawn from keySeed, decrypts it with that key and with the key with
// secret bit wrongBit flipped, and keeps the PSNR/SSIM of each against
// the plain crop, the pooled histogram of the cipher images and the
// nSamples crops with the most detail as panels (plain, cipher, then one
// cipher image per scheme of also under the same key, decrypted, wrong
// key).
func Reconstruct(ctx context.Context, plan *dataset.Plan, name string, keySeed uint64, wrongBit, nSamples int, also ...string) (*Reconstruction, error) {
	sch, err := cipher.Lookup(name)
	if err != nil {
		return nil, err
	}
	k := sch.GenerateKey(keySeed)
	right, err := sch.New(k)
	if err != nil {
		return nil, err
	}
	wrong, err := sch.New(k.FlipBit(wrongBit))
	if err != nil {
		return nil, err
	}
	var others []cipher.Cipher
	for _, o := range also {
		s, err := cipher.Lookup(o)
		if err != nil {
			return nil, err
		}
		ok, err := s.ParseKey(strings.Replace(k.String(), name, o, 1))
		if err != nil {
			return nil, fmt.Errorf("%s: the key of %s: %w", o, name, err)
		}
		c, err := s.New(ok)
		if err != nil {
			return nil, err
		}
		others = append(others, c)
	}
	r := &Reconstruction{Key: k.String()}
	type sample struct {
		spread float64
		where  string
		panels []results.ImagePanel
	}
	// The samples shown are the crops with the most detail (largest pixel
	// standard deviation; first in plan order on ties): flat crops show
	// little of what the cipher does. Only the best nSamples are kept.
	var best []sample
	var pooled []uint8
	for c, err := range plan.Stream(ctx, dataset.All) {
		if err != nil {
			return nil, err
		}
		enc, err := right.Encrypt(c.Image)
		if err != nil {
			return nil, err
		}
		dec, err := right.Decrypt(enc)
		if err != nil {
			return nil, err
		}
		bad, err := wrong.Decrypt(enc)
		if err != nil {
			return nil, err
		}
		for _, q := range []struct {
			img        *imageio.Gray
			psnr, ssim *[]float64
		}{{dec, &r.RightPSNR, &r.RightSSIM}, {bad, &r.WrongPSNR, &r.WrongSSIM}, {enc, &r.CipherPSNR, &r.CipherSSIM}} {
			p, err := metrics.PSNR(c.Image, q.img)
			if err != nil {
				return nil, err
			}
			s, err := metrics.SSIM(c.Image, q.img)
			if err != nil {
				return nil, err
			}
			*q.psnr, *q.ssim = append(*q.psnr, p), append(*q.ssim, s)
		}
		pooled = append(pooled, enc.Pix...)
		if sp := spread(c.Image); nSamples > 0 && (len(best) < nSamples || sp > best[len(best)-1].spread) {
			panels := []results.ImagePanel{{Title: "plain", Image: c.Image}, {Title: "cipher", Image: enc}}
			for i, o := range others {
				oc, err := o.Encrypt(c.Image)
				if err != nil {
					return nil, err
				}
				panels = append(panels, results.ImagePanel{Title: also[i], Image: oc})
			}
			panels = append(panels, results.ImagePanel{Title: fmt.Sprintf("decrypted (%.1f dB)", r.RightPSNR[r.Crops]), Image: dec},
				results.ImagePanel{Title: fmt.Sprintf("wrong key (%.1f dB)", r.WrongPSNR[r.Crops]), Image: bad})
			cand := sample{spread: sp, where: fmt.Sprintf("%s (%d, %d)", c.ImageID, c.X, c.Y), panels: panels}
			at, _ := slices.BinarySearchFunc(best, sp, func(b sample, v float64) int { return cmp.Compare(v, b.spread) })
			for at < len(best) && best[at].spread == sp { // after equal ones: plan order on ties
				at++
			}
			best = slices.Insert(best, at, cand)[:min(len(best)+1, nSamples)]
		}
		r.Crops++
	}
	if r.Crops == 0 {
		return nil, fmt.Errorf("no measurement crop")
	}
	for _, c := range best {
		r.Panels = append(r.Panels, c.panels...)
		r.Where = append(r.Where, c.where)
	}
	// The histogram of every cipher pixel, pooled: a distinguisher that
	// needs no training (a uniform 8-bit image passes it).
	r.PooledPixels = len(pooled)
	if r.Pooled, err = metrics.ChiSquare(&imageio.Gray{Width: len(pooled), Height: 1, Pix: pooled}); err != nil {
		return nil, err
	}
	return r, nil
}

// spread is the standard deviation of g's samples.
func spread(g *imageio.Gray) float64 {
	var s, ss float64
	n := float64(g.Len())
	for i := 0; i < g.Len(); i++ {
		v := float64(g.Sample(i))
		s, ss = s+v, ss+v*v
	}
	return math.Sqrt(math.Max(0, ss/n-(s/n)*(s/n)))
}

// Table is the reconstruction table of r: right key, wrong key (secret
// bit wrongBit flipped), the cipher image itself; mean and population sd
// of PSNR and SSIM over the crops, with -check tolerances psnrTol and
// ssimTol. cropSize is the crops' side.
func (r *Reconstruction) Table(cropSize, wrongBit int, psnrTol, ssimTol float64) results.Table {
	t := results.Table{Name: "reconstruction", Columns: []string{"decryption", "crops", "PSNR dB", "PSNR sd", "SSIM", "SSIM sd"},
		Caption: fmt.Sprintf("Decryption of the cipher images of every measurement crop (held-out images, %d²) under one key: with the right key, "+
			"with secret bit %d flipped, and the cipher image itself against the plain crop. PSNR/SSIM against the plain crop, mean and population "+
			"sd over crops; -check tolerances %g dB and %g. The battery's robustness table (its \"none\" row) decrypts under the battery's own key "+
			"on its first crops only, so its numbers differ.", cropSize, wrongBit, psnrTol, ssimTol),
		Tolerances: map[string]float64{"PSNR dB": psnrTol, "PSNR sd": psnrTol, "SSIM": ssimTol, "SSIM sd": ssimTol}}
	for _, row := range []struct {
		label      string
		psnr, ssim []float64
	}{{"right key", r.RightPSNR, r.RightSSIM}, {fmt.Sprintf("wrong key (bit %d flipped)", wrongBit), r.WrongPSNR, r.WrongSSIM},
		{"no decryption (cipher image)", r.CipherPSNR, r.CipherSSIM}} {
		pm, ps := battery.MeanSD(row.psnr)
		sm, ss := battery.MeanSD(row.ssim)
		t.AddRow(row.label, r.Crops, pm, ps, sm, ss)
	}
	return t
}

// FamilyClaims keeps the survey's claims about one family (statements
// starting "<family>: ") that one cipher of the family beside a baseline
// can judge: all but "between …" rows, which need two other families
// measured on the same crops and are judged on the survey page only (a
// "than the chaotic NN's" row is judged where the caller measured a
// chaotic NN beside it, else it is "not applicable").
func FamilyClaims(all []results.Claim, family string) []results.Claim {
	var out []results.Claim
	prefix := family + ": "
	for _, c := range all {
		if strings.HasPrefix(c.Statement, prefix) && !strings.Contains(c.Statement, "between") {
			out = append(out, c)
		}
	}
	return out
}

// WeightsSHA is the hex SHA-256 of a weights file.
func WeightsSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
