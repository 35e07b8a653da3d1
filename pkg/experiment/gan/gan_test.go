package gan

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/experiment/exptest"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

func smokeEnv(t *testing.T, dir string) *experiment.Env { return exptest.SmokeEnv(t, dir) }

func tableOf(t *testing.T, res *results.Result, name string) results.Table {
	return exptest.Table(t, res, name)
}

// TestSmokeRunAndCache: the smoke run produces the page's tables, figures
// and claims; a second run reads the trained model from the cache and
// gives the same result; the survey's provider binds the same cipher.
func TestSmokeRunAndCache(t *testing.T) {
	dir := t.TempDir()
	env := smokeEnv(t, dir)
	res, err := New().Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	defer cipher.Unregister("gan/smoke")
	rec := tableOf(t, res, "reconstruction")
	if len(rec.Rows) != 3 || rec.Rows[0][1].(int) < 1 {
		t.Errorf("reconstruction rows %v", rec.Rows)
	}
	for _, name := range []string{"training", "distinguishing tests", "security", "key sensitivity", "training time"} {
		tableOf(t, res, name)
	}
	if !tableOf(t, res, "training time").Timing {
		t.Error("the training time table is not marked Timing")
	}
	sec := tableOf(t, res, "security")
	var rows []string
	for _, r := range sec.Rows {
		rows = append(rows, r[0].(string))
	}
	if !slices.Contains(rows, "gan/smoke") || !slices.Contains(rows, cipher.NameAESCTR) {
		t.Errorf("security table rows %q: want the GAN cipher and the AES baseline", rows)
	}
	var gan, dist int
	for _, c := range res.Claims {
		if strings.HasPrefix(c.Statement, "GAN: ") {
			gan++
		}
		if strings.Contains(c.Statement, "cannot be told") {
			dist++
		}
		if strings.Contains(c.Statement, "between") {
			t.Errorf("claim %q compares families: it belongs on the survey page", c.Statement)
		}
	}
	if gan != 8 || dist != 1 {
		t.Errorf("%d GAN claims (%d distinguishing): want the survey's 6, the distinguishing test and family (1)'s", gan, dist)
	}
	var samples bool
	for _, f := range res.Figures {
		if f.Name == "samples" && len(f.Images) == 4*ProfileSettings[experiment.Smoke].Samples {
			samples = true
		}
	}
	if !samples {
		t.Error("no sample figure with four panels per sample")
	}

	again, err := New().Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, experiment.CacheLogName))
	if !strings.Contains(string(log), "hit gan/train") {
		t.Errorf("second run did not read the trained model from the cache:\n%s", log)
	}
	if a, b := tableOf(t, res, "reconstruction"), tableOf(t, again, "reconstruction"); !slices.EqualFunc(a.Rows, b.Rows, slices.Equal) {
		t.Errorf("reconstruction differs between runs:\n%v\n%v", a.Rows, b.Rows)
	}
	names, err := experiment.BindTrainedCiphers(context.Background(), env)
	if err != nil || !slices.Equal(names, []string{"gan/smoke"}) {
		t.Errorf("trained ciphers for the survey: %v, %v", names, err)
	}
}

func TestNoBackendIsAClearError(t *testing.T) {
	env := smokeEnv(t, "")
	env.Backend = nil
	if _, err := New().Run(context.Background(), env); err == nil || !strings.Contains(err.Error(), "no GoMLX backend") {
		t.Errorf("run without a backend: %v", err)
	}
	if names, err := experiment.BindTrainedCiphers(context.Background(), env); err != nil || len(names) != 0 {
		t.Errorf("trained ciphers without a backend: %v, %v (want none, no error)", names, err)
	}
}
