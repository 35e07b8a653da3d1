package metrics

import (
	"math/big"
	"testing"
)

// The run-time SSIM constants are the correctly rounded (K·L)², equal to
// the compile-time constant expressions at L = 255 (so 8-bit SSIM values
// do not move by an ulp) and exact-rounded at L = 65535.
func TestSSIMConstantsCorrectlyRounded(t *testing.T) {
	c1, c2 := ssimConstants(PeakValue)
	if want := float64((SSIMK1 * PeakValue) * (SSIMK1 * PeakValue)); c1 != want {
		t.Errorf("C1(255) = %v, want %v", c1, want)
	}
	if want := float64((SSIMK2 * PeakValue) * (SSIMK2 * PeakValue)); c2 != want {
		t.Errorf("C2(255) = %v, want %v", c2, want)
	}
	for _, peak := range []int{255, 1023, 4095, 65535} {
		c1, c2 := ssimConstants(peak)
		for _, tc := range []struct {
			got float64
			k   string
		}{{c1, "1/100"}, {c2, "3/100"}} {
			k, _ := new(big.Rat).SetString(tc.k)
			kl := new(big.Rat).Mul(k, big.NewRat(int64(peak), 1))
			want, _ := new(big.Rat).Mul(kl, kl).Float64()
			if tc.got != want {
				t.Errorf("peak %d, K = %s: (K·L)² = %v, want %v", peak, tc.k, tc.got, want)
			}
		}
	}
}
