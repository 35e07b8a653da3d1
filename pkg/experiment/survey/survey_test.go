package survey

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/experiment/exptest"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

func run(t *testing.T, seed uint64) *results.Result {
	t.Helper()
	src, err := dataset.NewSynthetic(9, 4, 128)
	if err != nil {
		t.Fatal(err)
	}
	res, err := New().Run(context.Background(), &experiment.Env{Profile: experiment.Smoke, Data: src, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func table(t *testing.T, res *results.Result, name string) results.Table {
	t.Helper()
	return exptest.Table(t, res, name)
}

// column returns the index of the aspect-table column of the named scheme.
func column(t *testing.T, tb results.Table, name string) int {
	t.Helper()
	found := -1
	for i, c := range tb.Columns {
		if strings.HasSuffix(c, ": "+name) || strings.HasSuffix(c, ": "+name+" (control)") {
			if found >= 0 {
				t.Fatalf("scheme %q has two columns (%q, %q)", name, tb.Columns[found], c)
			}
			found = i
		}
	}
	if found < 0 {
		t.Fatalf("no column for scheme %q in %q", name, tb.Columns)
	}
	return found
}

// rowOf returns the aspect-table row whose label starts with prefix.
func rowOf(t *testing.T, tb results.Table, prefix string) []any {
	t.Helper()
	for _, r := range tb.Rows {
		if strings.HasPrefix(r[0].(string), prefix) {
			return r
		}
	}
	t.Fatalf("no row %q", prefix)
	return nil
}

// registered reports whether a non-control scheme of one of the classes is registered.
func registered(classes ...cipher.Class) bool {
	for _, n := range cipher.Names() {
		s, _ := cipher.Lookup(n)
		if slices.Contains(classes, cipher.ClassOf(s)) && !cipher.IsControl(s) {
			return true
		}
	}
	return false
}

// statements counts the claims whose statement starts with each family's name.
func statements(res *results.Result) map[string]int {
	n := map[string]int{}
	for _, c := range res.Claims {
		fam, _, ok := strings.Cut(c.Statement, ": ")
		if !ok || c.Paper == refAbstract {
			fam = "abstract"
		}
		n[fam]++
	}
	return n
}

func TestSurveySmoke(t *testing.T) {
	res := run(t, 1)
	names := battery.DefaultNames() // every registered scheme but the controls
	tb := table(t, res, TableName)
	if want := 4 + 2*len(names); len(tb.Columns) != want {
		t.Fatalf("aspect table has %d columns %q, want %d (label, unit, plain, plain sd, then mean and sd per registered non-control scheme)", len(tb.Columns), tb.Columns, want)
	}
	for _, c := range tb.Columns {
		if strings.Contains(c, cipher.NamePermutation) || strings.Contains(c, "(control)") {
			t.Errorf("column %q: the survey leaves the controls out", c)
		}
	}
	for _, n := range names {
		j := column(t, tb, n)
		if tb.Columns[j+1] != tb.Columns[j]+" sd" {
			t.Errorf("scheme %q: the column after %q is %q, want its sd", n, tb.Columns[j], tb.Columns[j+1])
		}
	}
	// Columns are grouped by class: each class's columns are contiguous.
	seen, last := map[string]bool{}, ""
	for _, c := range tb.Columns[4:] {
		if strings.HasSuffix(c, " sd") {
			continue
		}
		class, _, _ := strings.Cut(c, ": ")
		if class != last && seen[class] {
			t.Errorf("class %q is split over the columns %q", class, tb.Columns)
		}
		seen[class], last = true, class
	}
	for _, a := range Aspects {
		rowOf(t, tb, a)
	}
	ks := rowOf(t, tb, AspectKeySpace)
	if v, ok := ks[column(t, tb, cipher.NameAESCTR)].(float64); !ok || v != 256 {
		t.Errorf("aes-ctr key space %v, want 256 bits from cipher.KeySpacer", ks[column(t, tb, cipher.NameAESCTR)])
	}
	// A diffusing chaotic cipher: a one-ulp key change of a parameter
	// that rounding never absorbs changes almost every pixel.
	sens := rowOf(t, tb, fmt.Sprintf("key sensitivity: NPCR between ciphertexts, key bit %d", SensitivityBit))
	if v := sens[column(t, tb, cipher.NameBitplane)].(float64); v < 99 {
		t.Errorf("bitplane key-sensitivity NPCR (bit %d) %.3f %%, want ≥ 99 %%", SensitivityBit, v)
	}
	// Distortion: SSIM between a natural image and a good cipher image is near 0.
	if v := rowOf(t, tb, AspectDistortion)[column(t, tb, cipher.NameAESCTR)].(float64); v > 0.1 {
		t.Errorf("aes-ctr SSIM(plain, cipher) %.4f, want ≈ 0", v)
	}
	// A keystream cipher leaves noise in place: its noise score is ≈ 1;
	// the diffusing bit-plane cipher spreads it.
	score := rowOf(t, tb, "noise resistance score")
	if v := score[column(t, tb, cipher.NameAESCTR)].(float64); v < 0.8 || v > 1.2 {
		t.Errorf("aes-ctr noise score %.3f, want ≈ 1 (damage stays in place)", v)
	}
	if a, b := score[column(t, tb, cipher.NameBitplane)].(float64), score[column(t, tb, cipher.NameBitplaneXOR)].(float64); !(a < b) {
		t.Errorf("noise score bitplane %.3f, bitplane-xor %.3f: want diffusion to lower it", a, b)
	}

	// Claims: every statement, each with a rule and a valid verdict.
	for _, c := range res.Claims {
		if c.Why == "" || !c.Verdict.Valid() || c.Statement == "" {
			t.Errorf("claim %+v: want a statement, a rule and a valid verdict", c)
		}
		if !strings.Contains(c.Why, "reproduced if") { // not-applicable claims state the rule they will use
			t.Errorf("claim %q: the rule is not stated: %q", c.Statement, c.Why)
		}
	}
	want := map[string]int{ChaoticNN.Name: 6, ConvolutionalNN.Name: 6, GAN.Name: 8, CellularNN.Name: 7, "abstract": 3}
	if got := statements(res); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("claims per family %v, want %v", got, want)
	}
	for _, f := range []Family{ConvolutionalNN, GAN} {
		if registered(f.Classes...) {
			continue
		}
		for _, c := range res.Claims {
			if strings.HasPrefix(c.Statement, f.Name+": ") && (c.Verdict != results.NotApplicable || !strings.Contains(c.Why, f.Missing)) {
				t.Errorf("claim %q: %s (%q), want not applicable saying %q", c.Statement, c.Verdict, c.Why, f.Missing)
			}
		}
	}
	for _, c := range res.Claims {
		if strings.HasPrefix(c.Statement, ChaoticNN.Name+": ") && c.Verdict == results.NotApplicable {
			t.Errorf("claim %q is not applicable, but the bit-plane ciphers stand for the chaotic NNs", c.Statement)
		}
	}

	// One bar figure per aspect, one bar per cipher in each series.
	if len(res.Figures) != len(Aspects) {
		t.Fatalf("%d figures, want one per aspect (%d)", len(res.Figures), len(Aspects))
	}
	for i, f := range res.Figures {
		if f.Name != FigureName(Aspects[i]) || f.Kind != results.KindBars || len(f.Series) == 0 {
			t.Errorf("figure %d: %q kind %q with %d series, want %q bars", i, f.Name, f.Kind, len(f.Series), FigureName(Aspects[i]))
		}
		for _, s := range f.Series {
			if len(s.X) != len(names) {
				t.Errorf("figure %q series %q has %d bars, want %d", f.Name, s.Name, len(s.X), len(names))
			}
		}
	}

	// Attack tables: one per cipher, two for a nonce-keyed scheme.
	for _, n := range names {
		s, _ := cipher.Lookup(n)
		if _, nonce := s.GenerateKey(1).(cipher.NonceKey); nonce {
			fresh, reused := table(t, res, AttackTablePrefix+n+freshNonce), table(t, res, AttackTablePrefix+n+reusedNonce)
			if len(fresh.Rows) == 0 || len(reused.Rows) == 0 {
				t.Errorf("%s: empty attack tables", n)
			}
			continue
		}
		if tb := table(t, res, AttackTablePrefix+n); len(tb.Rows) == 0 {
			t.Errorf("%s: empty attack table", n)
		}
	}
	// AES-CTR with its nonce reused falls to the chosen-plaintext
	// keystream attack; with a fresh nonce it does not.
	verdict := func(name string) string {
		return fmt.Sprint(table(t, res, AttackTablePrefix+name).Rows[0][5])
	}
	if verdict(cipher.NameAESCTR+reusedNonce) != "broken" || verdict(cipher.NameAESCTR+freshNonce) == "broken" {
		t.Errorf("aes-ctr keystream attack: reused nonce %s, fresh nonce %s; want broken, then not", verdict(cipher.NameAESCTR+reusedNonce), verdict(cipher.NameAESCTR+freshNonce))
	}
	if res.DataHash == "" || len(res.Notes) == 0 {
		t.Error("want a data hash and notes")
	}
}

func TestSurveyIsDeterministic(t *testing.T) {
	// Compare printed forms: reflect.DeepEqual treats NaN as unequal to itself.
	str := func(r *results.Result) string { return fmt.Sprintf("%v %v", r.Tables, r.Claims) }
	a, b := run(t, 5), run(t, 5)
	if str(a) != str(b) {
		t.Fatal("two runs with the same seed differ")
	}
	if c := run(t, 6); str(a) == str(c) {
		t.Fatal("a different seed gave identical tables (seed unused?)")
	}
}

// toyScheme is a throw-away cipher registered by the tests: a keystream
// XOR under a 64-bit key, of a chosen class, optionally a weak control. It
// states no key space.
type toyScheme struct {
	name    string
	class   cipher.Class
	control bool
}

type toyKey struct {
	scheme string
	k      uint64
}

func (k toyKey) Scheme() string { return k.scheme }
func (k toyKey) String() string { return k.scheme + ":k=" + strconv.FormatUint(k.k, 10) }
func (k toyKey) NumBits() int   { return 64 }
func (k toyKey) FlipBit(i int) cipher.Key {
	return toyKey{k.scheme, k.k ^ 1<<(uint(i)%64)}
}

func (s toyScheme) Name() string        { return s.name }
func (s toyScheme) Description() string { return "test cipher" }
func (s toyScheme) Class() cipher.Class { return s.class }
func (s toyScheme) Control() bool       { return s.control }
func (s toyScheme) GenerateKey(seed uint64) cipher.Key {
	return toyKey{s.name, seed}
}
func (s toyScheme) ParseKey(line string) (cipher.Key, error) {
	v, ok := strings.CutPrefix(line, s.name+":k=")
	if !ok {
		return nil, fmt.Errorf("not a %s key", s.name)
	}
	k, err := strconv.ParseUint(v, 10, 64)
	return toyKey{s.name, k}, err
}
func (s toyScheme) New(k cipher.Key) (cipher.Cipher, error) {
	return toyCipher{s.name, k.(toyKey).k}, nil
}

type toyCipher struct {
	name string
	k    uint64
}

func (c toyCipher) Name() string { return c.name }
func (c toyCipher) xor(g *imageio.Gray) (*imageio.Gray, error) {
	out := g.Clone()
	r := seeds.SplitMix{State: c.k}
	for i := range out.Pix {
		out.Pix[i] ^= byte(r.Uint64())
	}
	return out, nil
}
func (c toyCipher) Encrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.xor(g) }
func (c toyCipher) Decrypt(g *imageio.Gray) (*imageio.Gray, error) { return c.xor(g) }

func register(t *testing.T, s toyScheme) {
	t.Helper()
	if err := cipher.Register(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cipher.Unregister(s.name) })
}

// TestNewSchemesNeedNoEdit registers a convolutional-NN cipher and a GAN
// weak control: the first gets a column and makes the convolutional
// claims applicable; the control is left out of the survey (no column, no
// GAN claims), and, named explicitly, is shown marked "(control)" but
// still judged in no GAN claim.
func TestNewSchemesNeedNoEdit(t *testing.T) {
	if registered(cipher.ClassConvolutionalNN, cipher.ClassGAN) {
		t.Skip("a convolutional-NN or GAN cipher is registered: the not-applicable case cannot be set up")
	}
	register(t, toyScheme{name: "toy-conv", class: cipher.ClassConvolutionalNN})
	register(t, toyScheme{name: "toy-gan-control", class: cipher.ClassGAN, control: true})
	res := run(t, 1)
	tb := table(t, res, TableName)
	if c := tb.Columns[column(t, tb, "toy-conv")]; c != "convolutional NN: toy-conv" {
		t.Errorf("column %q, want \"convolutional NN: toy-conv\"", c)
	}
	for _, c := range tb.Columns {
		if strings.Contains(c, "toy-gan-control") {
			t.Errorf("column %q: a control is left out of the survey", c)
		}
	}
	if v := rowOf(t, tb, AspectKeySpace)[column(t, tb, "toy-conv")]; v != "not stated" {
		t.Errorf("key space of a scheme without KeySpacer: %v, want \"not stated\"", v)
	}
	table(t, res, AttackTablePrefix+"toy-conv")
	for _, c := range res.Claims {
		conv := strings.HasPrefix(c.Statement, ConvolutionalNN.Name+": ")
		gan := strings.HasPrefix(c.Statement, GAN.Name+": ")
		switch {
		case conv && c.Verdict == results.NotApplicable:
			t.Errorf("claim %q not applicable with a convolutional-NN cipher registered: %s", c.Statement, c.Why)
		case gan && c.Verdict != results.NotApplicable:
			t.Errorf("claim %q judged %s on a weak control alone", c.Statement, c.Verdict)
		}
	}
	// Named, the control is measured and marked, and judged in no claim.
	src, err := dataset.NewSynthetic(9, 4, 128)
	if err != nil {
		t.Fatal(err)
	}
	env := &experiment.Env{Profile: experiment.Smoke, Data: src, Seed: 1}
	spec, err := experiment.ForProfile(ID, ProfileSettings, env.Profile)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := experiment.CropPlan(env, ID, spec.CropSize, spec.PerImage, spec.MaxImages)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := MeasureCiphers(context.Background(), env, plan, spec, "toy-gan-control", cipher.NameAESCTR)
	if err != nil {
		t.Fatal(err)
	}
	if c := ms.Table.Columns[column(t, ms.Table, "toy-gan-control")]; !strings.HasSuffix(c, "(control)") {
		t.Errorf("column %q does not say the scheme is a control", c)
	}
	for _, c := range ms.Claims {
		if strings.HasPrefix(c.Statement, GAN.Name+": ") && c.Verdict != results.NotApplicable {
			t.Errorf("named control: claim %q judged %s on a weak control alone", c.Statement, c.Verdict)
		}
	}
	// The toy keeps the plain image's correlation out of the cipher
	// image (a keystream XOR) but states no key space: its key-space
	// comparison is inconclusive, the others are judged.
	for _, c := range res.Claims {
		if strings.HasPrefix(c.Statement, ConvolutionalNN.Name+": key space") && c.Verdict != results.Inconclusive {
			t.Errorf("claim %q: %s, want inconclusive (no key space stated)", c.Statement, c.Verdict)
		}
	}
}

func TestSpearman(t *testing.T) {
	if r := spearman([]float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}); r != 1 {
		t.Errorf("monotone: %g, want 1", r)
	}
	if r := spearman([]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}); r != -1 {
		t.Errorf("reversed: %g, want -1", r)
	}
	if r := spearman([]float64{1, 2, 3, 4}, []float64{5, 5, 5, 5}); r == r {
		t.Errorf("constant: %g, want NaN", r)
	}
	if d := spread([]float64{1, 3, 2}); d != 2 {
		t.Errorf("spread %g, want 2", d)
	}
	if got := ranks([]float64{3, 1, 3, 2}); fmt.Sprint(got) != "[3.5 1 3.5 2]" {
		t.Errorf("ranks with ties %v, want [3.5 1 3.5 2]", got)
	}
}

func TestPaperProfileNeedsCrops(t *testing.T) {
	src, _ := dataset.NewSynthetic(1, 2, 128) // smaller than the paper's 256² crops
	if _, err := New().Run(context.Background(), &experiment.Env{Profile: experiment.Paper, Data: src, Seed: 1}); err == nil {
		t.Fatal("want an error for images smaller than the crop size")
	}
}
