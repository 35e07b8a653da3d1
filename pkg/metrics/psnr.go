package metrics

import (
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// PeakValue is the dynamic range L of 8-bit images used by PSNR and SSIM.
const PeakValue = 255

// MSE returns the mean squared error Σ (a − b)² / L between two equally
// sized images, accumulated exactly in integers.
func MSE(a, b *imageio.Gray) (float64, error) {
	if err := checkPair("first", a, "second", b); err != nil {
		return 0, err
	}
	return mse(a.Pix, b.Pix), nil
}

func mse(a, b []uint8) float64 {
	b = b[:len(a)]
	var s uint64
	for i, x := range a {
		d := int32(x) - int32(b[i])
		s += uint64(d * d)
	}
	return float64(s) / float64(len(a))
}

// PSNR returns the peak signal-to-noise ratio in dB,
// 10·log10(255² / MSE). For identical images (MSE = 0) it returns +Inf, the
// mathematically correct limit; Report.MarshalJSON writes +Inf as null.
func PSNR(a, b *imageio.Gray) (float64, error) {
	m, err := MSE(a, b)
	if err != nil {
		return 0, err
	}
	return PSNRFromMSE(m), nil
}

// PSNRFromMSE is the PSNR in dB of a mean squared error m (in squared grey
// levels): 10·log10(255²/m), +Inf for m = 0. Averaging MSE over images and
// converting once gives the PSNR of a set of images that stays finite when
// some of them are reproduced exactly.
func PSNRFromMSE(m float64) float64 {
	if m == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(PeakValue*PeakValue/m)
}
