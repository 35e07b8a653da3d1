package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
)

// TestTrainedCipherThroughRegistryCLIAndBattery trains a tiny learned
// cipher (CPA-ANC with 4-bit keys: it learns the one-time pad C = P ⊕ K in
// about ten seconds on the pure Go backend), registers it, round-trips an
// image through `encrypt` and `decrypt` by its key line alone (-cipher
// omitted), and has the security battery measure it beside AES-CTR.
func TestTrainedCipherThroughRegistryCLIAndBattery(t *testing.T) {
	be, err := backend.Fixed(backend.Go).New()
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 1000 // ancnet's TestTinyCPARunDecryptsUnderPaperLoss: seed 5 converges
	cfg := ancnet.DefaultConfig(ancnet.CPA, 4, rounds)
	cfg.Batch, cfg.LearningRate, cfg.ABPerRound, cfg.EvePerRound, cfg.EvalEvery, cfg.Seed = 512, 0.01, 1, 5, 0, 5
	m, err := ancnet.NewModel(be, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Train(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	store := t.TempDir()
	t.Setenv(cipher.ModelDirEnv, store)
	scheme, err := m.BindCipher("", "cli-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cipher.Unregister(scheme.Name()) })
	if !slices.Contains(cipher.Names(), "anc-n4/cli-test") {
		t.Fatalf("registry: %v", cipher.Names())
	}

	// The CLI, by key line only.
	key := scheme.GenerateKey(7).String()
	dir := t.TempDir()
	src, _ := dataset.NewSynthetic(4, 1, 64)
	img, err := src.Load(0)
	if err != nil {
		t.Fatal(err)
	}
	plain, enc, dec := filepath.Join(dir, "plain.pgm"), filepath.Join(dir, "enc.png"), filepath.Join(dir, "dec.pgm")
	if err := imageio.SaveGray(plain, img); err != nil {
		t.Fatal(err)
	}
	if code, _, e := cli(t, "encrypt", "-key", key, plain, enc); code != 0 {
		t.Fatalf("encrypt: %s", e)
	}
	if code, _, e := cli(t, "decrypt", "-key", key, enc, dec); code != 0 {
		t.Fatalf("decrypt: %s", e)
	}
	back, err := imageio.ReadGray(dec)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := imageio.ReadGray(enc)
	if !back.Equal(img) || ct.Equal(img) {
		t.Fatalf("trained cipher through the CLI: round trip exact %v, ciphertext differs %v", back.Equal(img), !ct.Equal(img))
	}
	// A key line for the scheme works without the scheme being bound in
	// this process (as in a new `neurocrypt` process): the family finds the
	// weights by path, or by hash in the model store.
	cipher.Unregister(scheme.Name())
	if code, _, e := cli(t, "decrypt", "-key", key, enc, filepath.Join(dir, "dec2.pgm")); code != 0 {
		t.Fatalf("decrypt without binding: %s", e)
	}
	if code, _, e := cli(t, "decrypt", "-cipher", "aes-ctr", "-key", key, enc, filepath.Join(dir, "x.pgm")); code != 1 || !strings.Contains(e, "aes-ctr") {
		t.Errorf("-cipher disagreeing with the key line: exit %d, %q", code, e)
	}
	// keygen for a weights file.
	weights, _ := filepath.Glob(filepath.Join(store, "anc-n4", "*"+cipher.WeightsExt))
	if len(weights) != 1 {
		t.Fatalf("model store: %v", weights)
	}
	code, out, e := cli(t, "keygen", "-cipher", "anc-n4", "-weights", weights[0], "-tag", "kg", "-seed", "3")
	if code != 0 || !strings.HasPrefix(out, "anc-n4/kg:weights=") {
		t.Fatalf("keygen -weights: exit %d, %q %q", code, out, e)
	}
	cipher.Unregister("anc-n4/kg")
	if code, _, e := cli(t, "keygen", "-cipher", "anc-n4"); code != 2 || !strings.Contains(e, "-weights FILE") {
		t.Errorf("keygen of a family without -weights: exit %d, %q", code, e)
	}
	if code, _, e := cli(t, "keygen", "-cipher", "bitplane", "-weights", weights[0]); code != 2 || !strings.Contains(e, "trained-cipher families") {
		t.Errorf("keygen -weights of a non-family: exit %d, %q", code, e)
	}
	// A file that is not a model of the family is refused by keygen.
	if code, _, e := cli(t, "keygen", "-cipher", "anc-n8", "-weights", weights[0], "-tag", "wrong"); code != 1 || !strings.Contains(e, "4-bit keys, not 8") {
		t.Errorf("keygen -weights of a 4-bit model as anc-n8: exit %d, %q", code, e)
	}
	cipher.Unregister("anc-n8/wrong")
	// -cipher may name the key's family.
	if code, _, e := cli(t, "decrypt", "-cipher", "anc-n4", "-key", key, enc, filepath.Join(dir, "dec3.pgm")); code != 0 {
		t.Errorf("-cipher FAMILY with a <family>/<tag> key: %s", e)
	}

	// The battery, by name.
	if _, err := cipher.BindTrained("anc-n4", "cli-test", weights[0]); err != nil {
		t.Fatal(err)
	}
	bt, err := battery.Build(scheme.Name(), cipher.NameAESCTR).Seed(1, "test").KeySensitivity(2, 0, 1, 2, 3).Robustness(2).Done()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := dataset.NewPlan(src, dataset.CropConfig{Size: 32, PerImage: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bt.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	sec := rep.SecurityTable()
	var row []any
	for _, r := range sec.Rows {
		if r[0] == scheme.Name() {
			row = r
		}
	}
	if row == nil {
		t.Fatalf("security table has no row for %s: %v", scheme.Name(), sec.Rows)
	}
	if row[len(row)-1] != true {
		t.Errorf("%s does not round-trip in the battery", scheme.Name())
	}
	// One key for every 4-bit block: a one-pixel change changes one cipher
	// pixel, as for any ECB cipher (NPCR = 100/L %).
	if n := rep.Mean(scheme.Name(), battery.NPCR); n > 0.2 {
		t.Errorf("NPCR of the learned one-time pad: %.3f %%, want 100/L", n)
	}
	var keyRows int
	for _, r := range rep.KeySensitivityTable().Rows {
		if r[0] == scheme.Name() {
			keyRows++
		}
	}
	if keyRows != 4 {
		t.Errorf("key sensitivity: %d rows for %s, want 4 (one per flipped key bit)", keyRows, scheme.Name())
	}
	if _, err := rep.Figures(scheme.Name()); err != nil {
		t.Error(err)
	}
	os.Remove(weights[0])
}
