package battery

import (
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
)

// Names of the metric speed targets, in SpeedTargets order.
const (
	SpeedEntropy      = "metrics/entropy"
	SpeedNPCRUACI     = "metrics/npcr+uaci"
	SpeedCorrelations = "metrics/correlations"
	SpeedChi2         = "metrics/chi2"
	SpeedPSNR         = "metrics/psnr"
	SpeedSSIM         = "metrics/ssim"
	// SpeedAll is metrics.NewReport: every metric of a plain/cipher pair.
	SpeedAll = "metrics/all"
)

// EncryptTarget, DecryptTarget and ColdTarget name a cipher's speed
// targets: encryption and decryption with a cipher made once (the
// keystreams, permutation or compiled model depend only on the key and the
// image size, so they are reused), and a cipher made from the key on every
// call (key schedule, keystreams or model loading included).
func EncryptTarget(name string) string { return name + "/encrypt" }

// DecryptTarget: see EncryptTarget.
func DecryptTarget(name string) string { return name + "/decrypt" }

// ColdTarget: see EncryptTarget.
func ColdTarget(name string) string { return name + "/key+encrypt(cold)" }

// SpeedTargets returns the operations of the battery to time on img (for
// perf.Measure): for every cipher its EncryptTarget, DecryptTarget and
// ColdTarget, then the metrics (SpeedEntropy … SpeedAll) on img and the
// first cipher's image of it. Bytes is img's pixel count (MB/s of image
// data).
func (bt *Battery) SpeedTargets(img *imageio.Gray) ([]perf.Target, error) {
	if img == nil || img.Len() == 0 || img.Check() != nil {
		return nil, fmt.Errorf("battery speed: want a non-empty image")
	}
	n := int64(img.Len())
	var ts []perf.Target
	var first *imageio.Gray
	for _, k := range bt.keyed {
		ct, err := k.c.Encrypt(img)
		if err != nil {
			return nil, fmt.Errorf("battery speed: %s: %w", k.name, err)
		}
		if first == nil {
			first = ct
		}
		key, err := k.scheme.ParseKey(k.key)
		if err != nil {
			return nil, fmt.Errorf("battery speed: %s: %w", k.name, err)
		}
		ts = append(ts,
			perf.Target{Name: EncryptTarget(k.name), Bytes: n, Fn: discard(k.c.Encrypt, img)},
			perf.Target{Name: DecryptTarget(k.name), Bytes: n, Fn: discard(k.c.Decrypt, ct)},
			perf.Target{Name: ColdTarget(k.name), Bytes: n, Fn: func() error {
				c, err := k.scheme.New(key)
				if err != nil {
					return err
				}
				_, err = c.Encrypt(img)
				return err
			}})
	}
	ct := first
	for _, m := range []struct {
		name string
		fn   func() error
	}{
		{SpeedEntropy, func() error { _, err := metrics.Entropy(ct); return err }},
		{SpeedNPCRUACI, func() error { _, err := metrics.NPCRUACI(img, ct); return err }},
		{SpeedCorrelations, func() error { _, err := metrics.Correlations(ct); return err }},
		{SpeedChi2, func() error { _, err := metrics.ChiSquare(ct); return err }},
		{SpeedPSNR, func() error { _, err := metrics.PSNR(img, ct); return err }},
		{SpeedSSIM, func() error { _, err := metrics.SSIM(img, ct); return err }},
		{SpeedAll, func() error { _, err := metrics.NewReport(img, ct, nil); return err }},
	} {
		ts = append(ts, perf.Target{Name: m.name, Bytes: n, Fn: m.fn})
	}
	return ts, nil
}

// discard turns op(g) into a timed call that keeps only the error.
func discard(op func(*imageio.Gray) (*imageio.Gray, error), g *imageio.Gray) func() error {
	return func() error {
		_, err := op(g)
		return err
	}
}
