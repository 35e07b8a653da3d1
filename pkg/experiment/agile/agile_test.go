package agile

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/experiment/exptest"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/agilenet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

func smokeEnv(t *testing.T, dir string) *experiment.Env { return exptest.SmokeEnv(t, dir) }

func tableOf(t *testing.T, res *results.Result, name string) results.Table {
	return exptest.Table(t, res, name)
}

var smokeNames = []string{"agile-diff/smoke", "agile-obf/smoke", "agile/smoke"}

// TestSmokeRunAndCache: the smoke run produces the page's tables, figures
// and claims for the three forms; a second run reads every trained unit
// from the cache and gives the same result; the survey's provider binds
// the three forms.
func TestSmokeRunAndCache(t *testing.T) {
	dir := t.TempDir()
	env := smokeEnv(t, dir)
	res, err := New().Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, n := range smokeNames {
			cipher.Unregister(n)
		}
	}()
	for _, name := range []string{"reconstruction", "agility: keys", "key-plane sensitivity", "ablations", "inference on cipher images",
		"training", "security", "key sensitivity", "training time"} {
		tableOf(t, res, name)
	}
	if n := len(tableOf(t, res, "ablations").Rows); n != 1+len(Terms) {
		t.Errorf("%d ablation rows: want the model and one per term", n)
	}
	// Smoke crops are 16² of the 32² tile: 256 visible bits, so the flips
	// up to 256.
	if kc := tableOf(t, res, "key-plane sensitivity"); len(kc.Rows) != 10 || kc.Rows[9][0].(int) != 256 || kc.Rows[9][1].(int) != 256 {
		t.Errorf("key-curve rows %v: want flips up to the 256 visible tile bits", kc.Rows)
	}
	ag := tableOf(t, res, "agility: keys")
	if len(ag.Rows) != 4 || ag.Rows[0][0] != RowTrainKeys || ag.Rows[1][0] != RowUnseenKeys {
		t.Errorf("agility rows %v", ag.Rows)
	}
	if n := len(tableOf(t, res, "inference on cipher images").Rows); n != 12 {
		t.Errorf("%d inference rows: want (4 + 2) settings × 2 tasks", n)
	}
	var rows []string
	for _, r := range tableOf(t, res, "security").Rows {
		rows = append(rows, r[0].(string))
	}
	for _, want := range append(slices.Clone(smokeNames), cipher.NameAESCTR, cipher.NameHopfield) {
		if !slices.Contains(rows, want) {
			t.Errorf("security table rows %q: no %s", rows, want)
		}
	}
	var agileClaims, cnn int
	for _, c := range res.Claims {
		if strings.HasPrefix(c.Paper, "Agile") {
			agileClaims++
		}
		if strings.HasPrefix(c.Statement, "convolutional NN: ") {
			cnn++
		}
		if strings.Contains(c.Statement, "between") {
			t.Errorf("claim %q compares three families: it belongs on the survey page", c.Statement)
		}
		if c.Verdict == results.Reproduced && math.IsNaN(c.Measured) {
			t.Errorf("claim %q reproduced without a measured value", c.Statement)
		}
	}
	if agileClaims != 3*3+1+2+2 || cnn != 6 {
		t.Errorf("%d agile claims, %d convolutional-NN claims: want 14 and the survey's 6", agileClaims, cnn)
	}
	var samples bool
	for _, f := range res.Figures {
		if f.Name == "samples" && len(f.Images) == 6*ProfileSettings[experiment.Smoke].Samples {
			samples = true
		}
	}
	if !samples {
		t.Error("no sample figure with six panels per sample")
	}

	again, err := New().Run(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, experiment.CacheLogName))
	for _, unit := range []string{"hit agile/train", "hit agile/ablation", "hit agile/tasks"} {
		if !strings.Contains(string(log), unit) {
			t.Errorf("second run: no %q in the cache log:\n%s", unit, log)
		}
	}
	for _, name := range []string{"reconstruction", "agility: keys", "ablations", "inference on cipher images"} {
		if a, b := tableOf(t, res, name), tableOf(t, again, name); !slices.EqualFunc(a.Rows, b.Rows, slices.Equal) {
			t.Errorf("%s differs between runs:\n%v\n%v", name, a.Rows, b.Rows)
		}
	}
	names, err := experiment.BindTrainedCiphers(context.Background(), env)
	if err != nil || !slices.Equal(names, smokeNames) {
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

// TestWrongBitText: the row label names WrongKeyBit.
func TestWrongBitText(t *testing.T) {
	if wrongBitText != fmt.Sprint(WrongKeyBit) {
		t.Errorf("wrongBitText %q, WrongKeyBit %d", wrongBitText, WrongKeyBit)
	}
}

// TestInferenceClaimRule: the rule on hand-made rows.
func TestInferenceClaimRule(t *testing.T) {
	rows := func(plain, auth, unauth float64) []TaskRow {
		return []TaskRow{{Setting: SettingPlain, Accuracy: plain}, {Setting: SettingAuthorised, Accuracy: auth}, {Setting: SettingUnauthorised, Accuracy: unauth},
			{Setting: SettingCipher, Accuracy: 0.3}, {Setting: SettingAuthorisedTrained, Accuracy: 0.2}, {Setting: SettingUnauthorisedTrained, Accuracy: 0.2}}
	}
	for _, c := range []struct {
		plain, auth, unauth float64
		want                results.Verdict
	}{{0.9, 0.88, 0.4, results.Reproduced}, {0.9, 0.7, 0.4, results.NotReproduced}, {0.9, 0.9, 0.85, results.NotReproduced},
		{0.35, 0.35, 0.1, results.Inconclusive}, {0.9, math.NaN(), 0.4, results.Inconclusive}} {
		got := inferenceClaims(TaskResult{Classify: rows(c.plain, c.auth, c.unauth)})[0]
		if got.Verdict != c.want {
			t.Errorf("plain %g, authorised %g, unauthorised %g: %s, want %s", c.plain, c.auth, c.unauth, got.Verdict, c.want)
		}
	}
}

// TestTorchPeerConstants: the PyTorch peer's constants mirror agilenet's,
// so the speed table compares the same training step.
func TestTorchPeerConstants(t *testing.T) {
	want := map[string]string{
		"LEARNING_RATE, BETAS": fmt.Sprintf("%g, (%g, %g)", agilenet.LearningRate, agilenet.Beta1, agilenet.Beta2),
		"REC, HIST, CORR, WRONG": fmt.Sprintf("%.1f, %.1f, %.1f, %.1f", agilenet.RecWeight, agilenet.HistWeight, agilenet.CorrWeight,
			agilenet.WrongWeight),
		"WRONG_MARGIN, SLOPE, BINS, EPS": fmt.Sprintf("%g, %g, %d, 1e-8", agilenet.WrongMargin, agilenet.LeakySlope, agilenet.HistBins),
		"DILATIONS":                      "(" + strings.Trim(strings.ReplaceAll(fmt.Sprint(agilenet.Dilations), " ", ", "), "[]") + ")",
		"BLOCKS":                         fmt.Sprint(agilenet.Blocks),
	}
	for _, line := range strings.Split(torchBench, "\n") {
		name, val, ok := strings.Cut(line, " = ")
		if w, known := want[name]; ok && known {
			if val != w {
				t.Errorf("agilebench.py: %s = %s, want %s (agilenet's)", name, val, w)
			}
			delete(want, name)
		}
	}
	for name := range want {
		t.Errorf("agilebench.py: no line %q", name)
	}
}
