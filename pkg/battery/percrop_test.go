package battery

import (
	"context"
	"math"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
)

// TestPerCropAgreesWithTables checks the per-crop accessors against the
// tables and means built from the same measurements.
func TestPerCropAgreesWithTables(t *testing.T) {
	plan := smallPlan(t, 3, 64, 32)
	names := []string{cipher.NameBitplane, cipher.NameAESCTR}
	bt, err := Build(names...).Seed(1, "percrop").KeySensitivity(4, 0, 8).Robustness(3).Done()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bt.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if rep.CropSize() != 32 || rep.Peak() != 255 || len(rep.FlippedBits()) != 2 || len(rep.Distortions()) != len(DefaultDistortions()) {
		t.Fatalf("crop size %d, peak %d, bits %v, distortions %v", rep.CropSize(), rep.Peak(), rep.FlippedBits(), rep.Distortions())
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	for _, n := range names {
		v := rep.PerCrop(n, Entropy)
		if len(v) != rep.Crops() || math.Abs(mean(v)-rep.Mean(n, Entropy)) > 1e-12 {
			t.Errorf("%s: %d per-crop entropies with mean %g, want %d with the Mean %g", n, len(v), mean(v), rep.Crops(), rep.Mean(n, Entropy))
		}
		flips := rep.KeyFlips(n, 8)
		if len(flips) != 4 {
			t.Fatalf("%s: %d key flips, want 4", n, len(flips))
		}
		for i, f := range flips {
			if f.Invalid || f.Unchanged || f.NPCR < 95 {
				t.Errorf("%s crop %d: flipping key bit 8 gave %+v, want a changed ciphertext", n, i, f)
			}
		}
		rs := rep.Robust(n, NoDistortion)
		if len(rs) != 3 {
			t.Fatalf("%s: %d robustness crops, want 3", n, len(rs))
		}
		for _, r := range rs {
			if r.MSE != 0 || r.SSIM != 1 {
				t.Errorf("%s: undamaged decryption %+v, want exact", n, r)
			}
		}
	}
	// The robustness table's PSNR is that of the mean MSE of Robust.
	tb := rep.RobustnessTable()
	for _, row := range tb.Rows {
		rs := rep.Robust(row[0].(string), row[1].(string))
		mse := 0.0
		for _, r := range rs {
			mse += r.MSE / float64(len(rs))
		}
		if p := metrics.PSNRFromMSEPeak(mse, rep.Peak()); math.Abs(p-row[2].(float64)) > 1e-9 && p != row[2].(float64) { // +Inf == +Inf
			t.Errorf("%s, %s: PSNR from Robust %g, table %g", row[0], row[1], p, row[2])
		}
	}
	if p := rep.PlainPerCrop(CorrH); mean(p) < 0.5 {
		t.Errorf("plain horizontal correlation %g, want high for natural-looking crops", mean(p))
	}
	if rep.PerCrop("nope", Entropy) != nil || rep.KeyFlips(cipher.NameBitplane, 5) != nil || rep.Robust(cipher.NameBitplane, "nope") != nil {
		t.Error("want nil for a cipher, bit or distortion that was not measured")
	}
	if v := rep.PlainPerCrop(NPCR); !math.IsNaN(v[0]) {
		t.Errorf("plain NPCR %g, want NaN", v[0])
	}
}
