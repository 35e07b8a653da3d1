package battery

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// addScheme is a throw-away scheme for the registry test: c = p + k mod 256.
type addScheme struct{}
type addKey uint8
type addCipher uint8

const addName = "test-add"

func (addKey) Scheme() string   { return addName }
func (k addKey) String() string { return fmt.Sprintf("%s:k=%d", addName, uint8(k)) }
func (addKey) NumBits() int     { return 8 }
func (k addKey) FlipBit(i int) cipher.Key {
	return k ^ addKey(1<<((i%8+8)%8))
}
func (addScheme) Name() string        { return addName }
func (addScheme) Description() string { return "test: add a constant to every pixel" }
func (addScheme) ParseKey(line string) (cipher.Key, error) {
	var k uint8
	_, err := fmt.Sscanf(line, addName+":k=%d", &k)
	return addKey(k), err
}
func (addScheme) GenerateKey(seed uint64) cipher.Key      { return addKey(seed | 1) }
func (addScheme) New(k cipher.Key) (cipher.Cipher, error) { return addCipher(k.(addKey)), nil }
func (addCipher) Name() string                            { return addName }
func (c addCipher) shift(g *imageio.Gray, d uint8) (*imageio.Gray, error) {
	out := g.Clone()
	for i := range out.Pix {
		out.Pix[i] += d
	}
	return out, nil
}
func (c addCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.shift(g, uint8(c)) }
func (c addCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.shift(g, -uint8(c)) }

func smallPlan(t *testing.T, images, size, crop int) *dataset.Plan {
	t.Helper()
	src, err := dataset.NewSynthetic(3, images, size)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dataset.NewPlan(src, dataset.CropConfig{Size: crop, PerImage: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func rowsOf(t results.Table) []string {
	var names []string
	for _, r := range t.Rows {
		names = append(names, r[0].(string))
	}
	return names
}

// TestRegisteredCipherAppearsWithNoOtherEdit: a scheme registered anywhere
// is measured by a battery with no names (every registered scheme but the
// controls), in every table, with nothing else to change.
func TestRegisteredCipherAppearsWithNoOtherEdit(t *testing.T) {
	if err := cipher.Register(addScheme{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cipher.Unregister(addName) })
	bt, err := Build().Seed(1, "test").KeySensitivity(2, 0).Robustness(2).Done()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(bt.Names(), addName) {
		t.Fatalf("battery measures %v, not the newly registered %s", bt.Names(), addName)
	}
	for _, name := range cipher.Names() {
		s, _ := cipher.Lookup(name)
		if slices.Contains(bt.Names(), name) == cipher.IsControl(s) {
			t.Errorf("registered scheme %s (control %v): measured %v; want every scheme but the controls", name, cipher.IsControl(s), slices.Contains(bt.Names(), name))
		}
	}
	rep, err := bt.Run(context.Background(), smallPlan(t, 2, 64, 32))
	if err != nil {
		t.Fatal(err)
	}
	tables := rep.Tables()
	if len(tables) != 4 {
		t.Fatalf("%d tables, want security, critical values, key sensitivity, robustness", len(tables))
	}
	for _, tb := range []results.Table{tables[0], tables[2], tables[3]} {
		if !slices.Contains(rowsOf(tb), addName) {
			t.Errorf("table %q has no row for %s: %v", tb.Name, addName, rowsOf(tb))
		}
	}
	// What the battery measured of it is right: adding a constant keeps
	// the histogram's shape (entropy of the plain crops), spreads nothing
	// (NPCR = one pixel), and decrypts exactly.
	plainEntropy := tables[0].Rows[0][1].(float64)
	if e := rep.Mean(addName, Entropy); math.Abs(e-plainEntropy) > 1e-9 {
		t.Errorf("entropy of %s %.6f, plain %.6f: want equal", addName, e, plainEntropy)
	}
	if n := rep.Mean(addName, NPCR); math.Abs(n-100.0/(32*32)) > 1e-9 {
		t.Errorf("NPCR of %s = %.5f %%, want 100/L", addName, n)
	}
	for _, r := range tables[0].Rows {
		if r[0] == addName && r[len(r)-1] != true {
			t.Errorf("%s does not round-trip: %v", addName, r)
		}
	}
	if _, err := rep.Figures(addName); err != nil {
		t.Errorf("figures with %s as focal cipher: %v", addName, err)
	}
	if !math.IsNaN(rep.Mean("nosuch", Entropy)) {
		t.Error("Mean of an unmeasured cipher is not NaN")
	}
}

// TestControlMeasuredOnlyWhenNamed: the "perm-only" control is not in the
// default list (DefaultNames) but is measured when named, and the battery
// sees what it is for: its cipher images have the plain crops' entropy.
func TestControlMeasuredOnlyWhenNamed(t *testing.T) {
	if slices.Contains(DefaultNames(), cipher.NamePermutation) || !slices.Contains(DefaultNames(), cipher.NameAESCTR) {
		t.Fatalf("DefaultNames() = %v: want aes-ctr and not %s", DefaultNames(), cipher.NamePermutation)
	}
	bt, err := Build(cipher.NamePermutation, cipher.NameAESCTR).Seed(1, "test").KeySensitivity(0).Done()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bt.Run(context.Background(), smallPlan(t, 2, 64, 32))
	if err != nil {
		t.Fatal(err)
	}
	plain := rep.Tables()[0].Rows[0][1].(float64)
	if e := rep.Mean(cipher.NamePermutation, Entropy); math.Abs(e-plain) > 1e-9 {
		t.Errorf("entropy of %s %.6f, plain %.6f: a permutation keeps the histogram", cipher.NamePermutation, e, plain)
	}
	if e := rep.Mean(cipher.NameAESCTR, Entropy); !(e > plain+0.1) {
		t.Errorf("entropy of aes-ctr %.6f, plain %.6f: want the keystream's higher entropy", e, plain)
	}
}

// TestRobustnessTellsDiffusionFromKeystream: damage to a keystream-XOR
// cipher image stays as it is; chained diffusion amplifies it (each
// damaged cipher pixel damages the plain pixels chained to it) and the
// permutation scatters it.
func TestRobustnessTellsDiffusionFromKeystream(t *testing.T) {
	bt, err := Build(cipher.NameBitplaneXOR, cipher.NameBitplane).Seed(2, "test").KeySensitivity(0).Robustness(4).Done()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bt.Run(context.Background(), smallPlan(t, 2, 64, 64))
	if err != nil {
		t.Fatal(err)
	}
	rt := rep.RobustnessTable()
	if len(rt.Rows) != 2*(1+len(DefaultDistortions())) {
		t.Fatalf("%d robustness rows", len(rt.Rows))
	}
	get := func(name, dist string) (psnr, ssim float64) {
		for _, r := range rt.Rows {
			if r[0] == name && r[1] == dist {
				return r[2].(float64), r[3].(float64)
			}
		}
		t.Fatalf("no row %s / %s", name, dist)
		return 0, 0
	}
	if p, s := get(cipher.NameBitplane, NoDistortion); !math.IsInf(p, 1) || s != 1 {
		t.Errorf("undamaged decryption: PSNR %v, SSIM %v; want ∞ and 1", p, s)
	}
	xp, _ := get(cipher.NameBitplaneXOR, "salt & pepper 1 %")
	dp, _ := get(cipher.NameBitplane, "salt & pepper 1 %")
	if xp < dp+3 {
		t.Errorf("1 %% salt & pepper: XOR keystream PSNR %.1f dB, diffusing %.1f dB; want the XOR ≥ 3 dB better", xp, dp)
	}
	// σ = 1 noise changes a third of the cipher pixels by ±1: through the
	// XOR a ±1 flips low bits (sometimes many, on a carry), the S-box
	// diffusion turns each into a random level.
	xg, _ := get(cipher.NameBitplaneXOR, "Gaussian σ = 1")
	dg, _ := get(cipher.NameBitplane, "Gaussian σ = 1")
	if xg < dg+10 || dg > 15 {
		t.Errorf("Gaussian σ = 1: XOR keystream PSNR %.1f dB, diffusing %.1f dB; want the XOR ≥ 10 dB better and the diffusion < 15 dB", xg, dg)
	}
	if len(rep.KeySensitivityTable().Rows) != 0 || len(rep.Tables()) != 3 {
		t.Error("key sensitivity ran with 0 crops")
	}
}

func TestDistortions(t *testing.T) {
	g := imageio.NewGray(100, 80)
	for i := range g.Pix {
		g.Pix[i] = 128
	}
	count := func(d *imageio.Gray, f func(v uint8) bool) int {
		n := 0
		for _, v := range d.Pix {
			if f(v) {
				n++
			}
		}
		return n
	}
	sp := SaltPepper(0.05).Apply(g, 7)
	if n := count(sp, func(v uint8) bool { return v != 128 }); n < 300 || n > 500 {
		t.Errorf("salt & pepper 5 %%: %d of 8000 pixels changed, want ≈ 400", n)
	}
	if !sp.Equal(SaltPepper(0.05).Apply(g, 7)) || sp.Equal(SaltPepper(0.05).Apply(g, 8)) {
		t.Error("salt & pepper is not a function of its seed")
	}
	if n := count(Occlusion(0.25).Apply(g, 0), func(v uint8) bool { return v == 0 }); n != 50*40 {
		t.Errorf("occlusion 1/4: %d pixels zeroed, want 2000", n)
	}
	if Occlusion(1.0/16).Name != "occlusion 1/16" {
		t.Errorf("name %q", Occlusion(1.0/16).Name)
	}
	gn := Gaussian(5).Apply(g, 3)
	var sum2 float64
	for _, v := range gn.Pix {
		sum2 += (float64(v) - 128) * (float64(v) - 128)
	}
	if sd := math.Sqrt(sum2 / float64(len(gn.Pix))); sd < 4.5 || sd > 5.5 {
		t.Errorf("Gaussian σ = 5: measured σ %.2f", sd)
	}
	if g.Pix[0] != 128 {
		t.Error("a distortion modified its input")
	}
}

func TestBuilderErrors(t *testing.T) {
	for name, b := range map[string]*Builder{
		"unknown cipher": Build("nosuch"),
		"twice":          Build(cipher.NameAESCTR, cipher.NameAESCTR),
		"alpha":          Build(cipher.NameAESCTR).Alpha(1.5),
		"key crops":      Build(cipher.NameAESCTR).KeySensitivity(-1),
		"family":         Build("anc-family-that-is-not-registered"),
	} {
		if _, err := b.Done(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	bt, err := Build(cipher.NameAESCTR).KeySensitivity(0).Done()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := bt.Run(context.Background(), smallPlan(t, 2, 32, 16))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rep.Figures(cipher.NameBitplane); err == nil || !strings.Contains(err.Error(), "not one of the measured") {
		t.Errorf("figures for an unmeasured cipher: %v", err)
	}
	if rep.DataHash() == "" || rep.Crops() != 4 {
		t.Errorf("hash %q, %d crops", rep.DataHash(), rep.Crops())
	}
}

// TestParallelForRecoversPanics: a panic in a worker (a registered cipher
// that panics) is an error naming the item, not a crashed process.
func TestParallelForRecoversPanics(t *testing.T) {
	err := ParallelFor(context.Background(), 5, func(i int) error {
		if i == 3 {
			panic("cipher exploded")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "item 3: panic: cipher exploded") {
		t.Errorf("ParallelFor = %v, want the panic of item 3 as an error", err)
	}
}
