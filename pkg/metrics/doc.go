// Package metrics implements the statistical security metrics used to
// evaluate image ciphers: Shannon entropy (global and local), NPCR and UACI
// with the critical values of Wu, Noonan & Agaian (2011), adjacent-pixel
// correlation, the χ² histogram test, MSE/PSNR and SSIM (Wang et al. 2004).
//
// Every function works on *imageio.Gray, validates its input and returns an
// error (never panics) for nil or empty images, inconsistent pixel buffers
// and size mismatches. The package has no dependency on GoMLX.
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
	if len(g.Pix) != g.Width*g.Height {
		return fmt.Errorf("metrics: %s image has %d pixels in its buffer, want %dx%d = %d",
			name, len(g.Pix), g.Width, g.Height, g.Width*g.Height)
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
	return nil
}
