package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// referencePython is the interpreter that runs scripts/check_metrics.py
// (Debian's, where apt installs python3-numpy/scipy/skimage).
const referencePython = "/usr/bin/python3"

// writeTestPGM writes g as a binary 8-bit PGM (P5), with a comment line to
// exercise the reader.
func writeTestPGM(t *testing.T, path string, g *imageio.Gray) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "P5\n# neurocrypt metrics cross-check\n%d %d\n255\n", g.Width, g.Height)
	b.Write(g.Pix)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func pythonHas(module string) bool {
	return exec.Command(referencePython, "-c", "import "+module).Run() == nil
}

// TestCrossCheckPython compares Report (and the χ² p-value and Wu critical
// values) with the independent numpy/scikit-image implementation in
// scripts/check_metrics.py. Every value is required to agree within 1e-6
// (tighter than the 1e-3 first planned for correlations, PSNR and SSIM: the
// two implementations agree to about 1e-12).
func TestCrossCheckPython(t *testing.T) {
	if _, err := os.Stat(referencePython); err != nil {
		t.Skipf("cross-check skipped: %s not found (install python3-numpy python3-scipy python3-skimage with apt)", referencePython)
	}
	if !pythonHas("numpy") {
		t.Skipf("cross-check skipped: numpy is not importable by %s (apt-get install python3-numpy)", referencePython)
	}
	extended := pythonHas("scipy")
	if !extended {
		t.Log("scipy missing: χ² p-values and Wu critical values are not cross-checked")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "scripts", "check_metrics.py"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(script); err != nil {
		t.Fatalf("reference script missing: %v", err)
	}

	noisy := func(g *imageio.Gray) *imageio.Gray { // plain + bounded noise
		n := noiseImage(g.Width, g.Height, 77)
		c := g.Clone()
		for i := range c.Pix {
			c.Pix[i] = uint8(min(255, max(0, int(c.Pix[i])+int(n.Pix[i]%21)-10)))
		}
		return c
	}
	smallSmooth := smoothImage(37, 53, 1)
	bigSmooth := smoothImage(128, 96, 2)
	cases := []struct {
		name   string
		images []*imageio.Gray
	}{
		{"37x53 smooth→noise", []*imageio.Gray{smallSmooth, noiseImage(37, 53, 3)}},
		{"128x96 two ciphertexts", []*imageio.Gray{bigSmooth, noiseImage(128, 96, 4), noiseImage(128, 96, 5)}},
		{"128x96 smooth→noisy copy", []*imageio.Gray{bigSmooth, noisy(bigSmooth)}},
		{"37x53 identical", []*imageio.Gray{smallSmooth, smallSmooth.Clone()}},
		{"8x9 constant cipher", []*imageio.Gray{noiseImage(8, 9, 6), constImage(8, 9, 200)}},
	}
	dir := t.TempDir()
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := []string{script}
			if extended {
				args = append(args, "--extended")
			}
			for i, g := range c.images {
				p := filepath.Join(dir, fmt.Sprintf("case%d_%d.pgm", ci, i))
				writeTestPGM(t, p, g)
				args = append(args, p)
			}
			var stderr bytes.Buffer
			cmd := exec.Command(referencePython, args...)
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s failed: %v\n%s", script, err, stderr.String())
			}
			var ref map[string]any
			if err := json.Unmarshal(out, &ref); err != nil {
				t.Fatalf("bad JSON from script: %v\n%s", err, out)
			}
			var cipher2 *imageio.Gray
			if len(c.images) == 3 {
				cipher2 = c.images[2]
			}
			rep, err := NewReport(c.images[0], c.images[1], cipher2)
			if err != nil {
				t.Fatal(err)
			}
			check := func(key string, got, tol float64) {
				t.Helper()
				v, present := ref[key]
				if !present {
					t.Errorf("%s: missing from script output %s", key, out)
					return
				}
				if v == nil {
					if !math.IsNaN(got) && !math.IsInf(got, 0) {
						t.Errorf("%s: Go %v, reference null", key, got)
					}
					return
				}
				want := v.(float64)
				if !(math.Abs(got-want) <= tol) {
					t.Errorf("%s: Go %.12g, reference %.12g (tolerance %g)", key, got, want, tol)
				}
			}
			check("entropy", rep.Entropy, 1e-6)
			check("npcr", rep.NPCR, 1e-6)
			check("uaci", rep.UACI, 1e-6)
			check("chi2", rep.Chi2, 1e-6)
			check("corr_h", rep.CorrH, 1e-6)
			check("corr_v", rep.CorrV, 1e-6)
			check("corr_d", rep.CorrD, 1e-6)
			check("psnr", rep.PSNR, 1e-6)
			check("ssim", rep.SSIM, 1e-6)
			if !extended {
				return
			}
			t.Logf("reference SSIM implementation: %v", ref["ssim_impl"])
			p, err := ChiSquarePValue(rep.Chi2, ChiSquareDF)
			if err != nil {
				t.Fatal(err)
			}
			if want, ok := ref["chi2_p"].(float64); !ok || math.Abs(p-want) > 1e-9*want+1e-300 {
				t.Errorf("chi2_p: Go %.12g, reference %v", p, ref["chi2_p"])
			}
			wu, _ := ref["wu"].(map[string]any)
			for _, alpha := range WuAlphas {
				w, err := WuCriticalValues(c.images[1].Width, c.images[1].Height, alpha)
				if err != nil {
					t.Fatal(err)
				}
				r, _ := wu[fmt.Sprint(alpha)].(map[string]any)
				for key, got := range map[string]float64{"npcr": w.NPCR, "uaci_low": w.UACILow, "uaci_high": w.UACIHigh} {
					if want, ok := r[key].(float64); !ok || math.Abs(got-want) > 1e-9 {
						t.Errorf("Wu %s at α=%v: Go %.12g, reference %v", key, alpha, got, r[key])
					}
				}
			}
		})
	}
}
