package recognition

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/exptest"
	"github.com/neurocrypt/neurocrypt/pkg/models/recognet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// TestSmokeRunAndCache: the smoke run gives every model's curves on every
// task, the confusion matrices and the claims; a second run reads every
// unit from the cache and gives the same numbers.
func TestSmokeRunAndCache(t *testing.T) {
	dir := t.TempDir()
	env := exptest.SmokeEnv(t, dir)
	res, err := New().Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	final := exptest.Table(t, res, "final")
	if want := 3 * len(recognet.Archs); len(final.Rows) != want {
		t.Errorf("%d rows in the final table, want %d (3 tasks × 6 models)", len(final.Rows), want)
	}
	for _, task := range []string{TaskBinary, TaskCipherID, TaskStego} {
		exptest.Table(t, res, task+" confusion")
	}
	// Per task: four metric figures with one curve per model, a loss
	// figure each for the test and training losses and a confusion heat map.
	if want := 3 * 7; len(res.Figures) != want {
		t.Errorf("%d figures, want %d", len(res.Figures), want)
	}
	for _, f := range res.Figures {
		if f.Kind == results.KindLine && len(f.Series) < len(recognet.Archs) {
			t.Errorf("figure %s: %d curves, want one per model", f.Name, len(f.Series))
		}
		for _, s := range f.Series {
			if len(s.X) != ProfileSettings[experiment.Smoke].Epochs+1 {
				t.Errorf("figure %s, %s: %d points, want epochs 0..%d", f.Name, s.Name, len(s.X), ProfileSettings[experiment.Smoke].Epochs)
			}
		}
	}
	if len(res.Claims) != 3*3+3 {
		t.Errorf("%d claims, want three per task and the three of Figs 9–11", len(res.Claims))
	}
	for _, c := range res.Claims {
		if c.Verdict == "" || c.Why == "" {
			t.Errorf("claim %q has no verdict or rule", c.Statement)
		}
	}
	again, err := New().Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	a, b := exptest.Table(t, res, "final"), exptest.Table(t, again, "final")
	for i := range a.Rows {
		for j := range a.Rows[i] {
			x, y := a.Rows[i][j], b.Rows[i][j]
			if fx, ok := x.(float64); ok && !(fx == y.(float64) || math.IsNaN(fx) && math.IsNaN(y.(float64))) {
				t.Errorf("final table cell (%d,%d): %v then %v from the cache", i, j, x, y)
			}
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, experiment.CacheLogName))
	if n := strings.Count(string(log), "hit recognition/train/"); n != 3*len(recognet.Archs) {
		t.Errorf("second run: %d cache hits of training units, want %d:\n%s", n, 3*len(recognet.Archs), log)
	}
}

// TestTasksNoLeakageAndBalance: each source image's crops are all
// training or all test for every task, and each crop yields one sample of
// every class, so every class is built from the same source crops.
func TestTasksNoLeakageAndBalance(t *testing.T) {
	env := exptest.SmokeEnv(t, "")
	s := ProfileSettings[experiment.Smoke]
	plan, err := experiment.CropPlan(env, ID, s.Crop, s.PerImage, s.MaxImages)
	if err != nil {
		t.Fatal(err)
	}
	names := Ciphers()
	if !slices.Contains(names, cipher.NameBitplaneXOR) || len(controls(names)) == 0 {
		t.Errorf("ciphers %v: want the paper-as-written bitplane-xor and a control among them", names)
	}
	tasks, err := Tasks(7, names, plan.TestIDs)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		seen := map[dataset.Split]map[string]bool{}
		for _, split := range []dataset.Split{dataset.Train, dataset.Test} {
			seen[split] = map[string]bool{}
			samples, err := experiment.Samples(context.Background(), plan, split, task.Label)
			if err != nil {
				t.Fatal(err)
			}
			if len(samples) == 0 {
				t.Fatalf("%s %s: no samples", task.ID, split)
			}
			if want := len(task.Classes) * plan.Len(split); len(samples) != want {
				t.Fatalf("%s %s: %d samples, want %d (one per class per crop)", task.ID, split, len(samples), want)
			}
			perCrop := map[[3]any][]int{}
			for _, smp := range samples {
				seen[split][smp.ImageID] = true
				k := [3]any{smp.ImageID, smp.X, smp.Y}
				perCrop[k] = append(perCrop[k], smp.Label)
			}
			for k, labels := range perCrop {
				slices.Sort(labels)
				for i, l := range labels {
					if l != i {
						t.Fatalf("%s: crop %v gave labels %v, want 0..%d once each", task.ID, k, labels, len(task.Classes)-1)
					}
				}
			}
		}
		for id := range seen[dataset.Train] {
			if seen[dataset.Test][id] {
				t.Errorf("%s: source image %s has crops in both splits", task.ID, id)
			}
		}
	}
	// Deterministic: the same seed gives the same cipher images.
	a, _ := experiment.Samples(context.Background(), plan, dataset.Test, tasks[1].Label)
	again, _ := Tasks(7, names, plan.TestIDs)
	b, _ := experiment.Samples(context.Background(), plan, dataset.Test, again[1].Label)
	for i := range a {
		if !slices.Equal(a[i].Image.Pix, b[i].Image.Pix) {
			t.Fatalf("sample %d differs between two builds with the same seed", i)
		}
	}
}

// TestSecurityClaimsNotApplicable: Figs 9–11 are marked, with why.
func TestSecurityClaimsNotApplicable(t *testing.T) {
	for _, c := range securityClaims() {
		if c.Verdict != results.NotApplicable || !math.IsNaN(c.Measured) || len(c.Why) < 50 {
			t.Errorf("%q: verdict %s, measured %g: want not applicable with a reason", c.Statement, c.Verdict, c.Measured)
		}
	}
}

// TestKeysDisjointAcrossSplits: no training crop shares a cipher key with
// a test crop.
func TestKeysDisjointAcrossSplits(t *testing.T) {
	train, test := []string{"a", "b", "c", "d", "e", "f", "g", "h"}, []string{"t1", "t2", "t3"}
	e, err := newEncryptor(5, Ciphers(), test)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Ciphers() {
		keys := map[string]bool{}
		for _, id := range train {
			keys[e.key(name, e.slot(id)).String()] = true
		}
		for _, id := range test {
			if keys[e.key(name, e.slot(id)).String()] {
				t.Errorf("%s: test image %s has a training key", name, id)
			}
		}
	}
}

// TestOneImageIsRefusedUpFront: with one source image there is no test
// split; the run says so before training.
func TestOneImageIsRefusedUpFront(t *testing.T) {
	env := exptest.SmokeEnv(t, "")
	src, err := dataset.NewSynthetic(9, 1, 128)
	if err != nil {
		t.Fatal(err)
	}
	env.Data = src
	_, err = New().Run(context.Background(), env)
	if err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("err = %v, want the two-image minimum named", err)
	}
}
