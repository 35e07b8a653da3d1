// Package metrics implements the statistical security metrics used to
// evaluate image ciphers: Shannon entropy (global and local), NPCR and UACI
// with the critical values of Wu, Noonan & Agaian (2011), adjacent-pixel
// correlation, the χ² histogram test, MSE/PSNR and SSIM (Wang et al. 2004).
//
// Every function works on *imageio.Gray at the image's own bit depth (8 or
// 16): entropy over its 2^depth levels, NPCR/UACI with peak F = 2^depth − 1
// (as Wu et al.'s code), their critical values for that F, χ² over 2^depth
// bins, PSNR and SSIM with data range 2^depth − 1. Images compared with
// each other must have the same size and depth. Every function validates
// its input and returns an error (never panics) for nil or empty images,
// inconsistent sample buffers and size or depth mismatches. The package has
// no dependency on GoMLX.
//
// Confusion scores the classifiers of the recognition and steganalysis
// tasks: accuracy, per-class and macro-averaged precision, recall and F1,
// with scikit-learn's conventions.
//
// Conventions:
//   - Percentages (NPCR, UACI and their critical values) are in percent.
//   - Undefined values are reported honestly rather than replaced by a
//     convenient number: a correlation coefficient with zero variance is
//     NaN, the PSNR of identical images is +Inf. Report.MarshalJSON writes
//     both as JSON null.
//
// The Python script scripts/check_metrics.py is an independent
// implementation used by the tests to cross-check these numbers.
package metrics

import (
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// checkImage returns an error unless g is a non-empty image whose pixel
// buffer matches its dimensions. name identifies the argument in errors.
func checkImage(name string, g *imageio.Gray) error {
	if g == nil {
		return fmt.Errorf("metrics: %s image is nil", name)
	}
	if g.Width <= 0 || g.Height <= 0 {
		return fmt.Errorf("metrics: %s image is empty (%dx%d)", name, g.Width, g.Height)
	}
	if err := g.Check(); err != nil {
		return fmt.Errorf("metrics: %s image: %v", name, err)
	}
	return nil
}

// checkPair validates two images and requires equal sizes.
func checkPair(nameA string, a *imageio.Gray, nameB string, b *imageio.Gray) error {
	if err := checkImage(nameA, a); err != nil {
		return err
	}
	if err := checkImage(nameB, b); err != nil {
		return err
	}
	if a.Width != b.Width || a.Height != b.Height {
		return fmt.Errorf("metrics: %s and %s images differ in size: %dx%d vs %dx%d",
			nameA, nameB, a.Width, a.Height, b.Width, b.Height)
	}
	if a.BitDepth() != b.BitDepth() {
		return fmt.Errorf("metrics: %s and %s images differ in bit depth: %d vs %d bits", nameA, nameB, a.BitDepth(), b.BitDepth())
	}
	return nil
}

// sample is the element type of an image's samples at its depth.
type sample interface{ ~uint8 | ~uint16 }

// rows8 returns a function giving row y of an 8-bit image's samples (a
// sub-slice of Pix).
func rows8(g *imageio.Gray) func(y int) []uint8 {
	w := g.Width
	return func(y int) []uint8 { return g.Pix[y*w : (y+1)*w : (y+1)*w] }
}

// rows16 returns a function giving row y of a 16-bit image's samples,
// decoded into one of two buffers chosen by y's parity, so rows y and y+1
// may be held at once. The metrics read 16-bit images row by row this way:
// their memory stays O(width) beyond the image itself, whatever its size.
func rows16(g *imageio.Gray) func(y int) []uint16 {
	w := g.Width
	bufs := [2][]uint16{make([]uint16, w), make([]uint16, w)}
	return func(y int) []uint16 {
		b, p := bufs[y&1], g.Pix[2*y*w:2*(y+1)*w]
		for x := range b {
			b[x] = uint16(p[2*x])<<8 | uint16(p[2*x+1])
		}
		return b
	}
}
