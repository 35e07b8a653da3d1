// Package battery is the cipher security battery: it measures any list of
// registered ciphers, named by their registry names (pkg/cipher), on a crop
// set with the standard image-cipher tests, and returns the results as
// report tables and figures.
//
// Per crop and cipher (one key per cipher, drawn from the run seed):
// Shannon entropy and local entropy of the cipher image (NaN for crops
// smaller than one local-entropy block), NPCR and UACI for a
// one-pixel plaintext change with Wu et al.'s (2011) pass/fail, horizontal,
// vertical and diagonal adjacent-pixel correlation, the χ² histogram test,
// and whether decryption gives the crop back bit for bit. On the first
// KeyCrops crops: key sensitivity (one-bit key flips: NPCR/UACI between the
// ciphertexts, PSNR of decrypting with the flipped key, share of flips that
// leave the ciphertext unchanged). On the first RobustnessCrops crops, when
// enabled: noise and occlusion robustness (the cipher image is distorted —
// salt-and-pepper, Gaussian noise, occlusion — then decrypted, and the
// result compared with the plain crop by PSNR and SSIM).
//
// Ciphers are looked up by name, so a cipher registered anywhere (a chaotic
// family, a trained model bound with cipher.BindTrained) is measured with no
// edit here; with no names the battery measures every registered scheme
// that is not a deliberately weak control (cipher.IsControl; see
// DefaultNames).
// The package does not import GoMLX: trained ciphers reach it through the
// registry. Everything is deterministic given the seed: per-crop seeds
// depend on the crop's position in the plan, never on scheduling.
package battery

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/progress"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// Defaults of the battery's settings.
const (
	// DefaultAlpha is the significance level of the pass/fail columns
	// (Wu's NPCR/UACI tests and the χ² test).
	DefaultAlpha = 0.05
	// DefaultKeyCrops is the number of crops (each with its own key per
	// cipher) of the key-sensitivity test: a new key means new keystreams,
	// which costs more than an encryption, so the test is capped.
	DefaultKeyCrops = 64
	// DefaultRobustnessCrops is the number of crops of the robustness
	// test (each costs a decryption and an SSIM per distortion and cipher).
	DefaultRobustnessCrops = 64
	// chunk is the number of crops measured in parallel at a time: memory
	// holds a chunk of crops, never the whole set.
	chunk = 64
)

// DefaultFlippedBits are the key bits flipped in the key-sensitivity test:
// bit 0 (each scheme's "least significant bit of the first parameter") and
// bit 8 (for the chaotic keys, mantissa bit 8 of x0: flips of the lowest
// mantissa bits can be absorbed by floating-point rounding).
var DefaultFlippedBits = []int{0, 8}

// Builder configures a Battery; start with Build and finish with Done.
type Builder struct {
	names    []string
	seed     uint64
	domain   string
	alpha    float64
	keyCrops int
	bits     []int
	robust   []Distortion
	robustN  int
	bar      func(label string, total int) *progress.Bar
}

// Build starts a battery measuring the named ciphers, in this order (they
// are the rows of every table); with no names, DefaultNames(). A control
// is measured when named. Defaults: seed 0 in domain "battery",
// DefaultAlpha, DefaultKeyCrops crops with DefaultFlippedBits, no
// robustness test, no progress bars.
func Build(names ...string) *Builder {
	return &Builder{names: names, domain: "battery", alpha: DefaultAlpha, keyCrops: DefaultKeyCrops,
		bits: DefaultFlippedBits, robustN: DefaultRobustnessCrops}
}

// Seed sets the run seed and the domain its sub-seeds are derived in
// (seeds.Sub(seed, domain, ...)); experiments pass their run seed and ID,
// so two experiments measuring the same cipher use independent keys.
func (b *Builder) Seed(seed uint64, domain string) *Builder {
	b.seed, b.domain = seed, domain
	return b
}

// Alpha sets the significance level of the pass/fail columns.
func (b *Builder) Alpha(alpha float64) *Builder {
	b.alpha = alpha
	return b
}

// KeySensitivity sets how many crops the key-sensitivity test uses (0: no
// test) and which key bits it flips (none given: DefaultFlippedBits).
func (b *Builder) KeySensitivity(crops int, bits ...int) *Builder {
	if len(bits) == 0 {
		bits = DefaultFlippedBits
	}
	b.keyCrops, b.bits = crops, bits
	return b
}

// Robustness enables the noise and occlusion test on the first crops
// crops with the given distortions (none: DefaultDistortions()).
func (b *Builder) Robustness(crops int, ds ...Distortion) *Builder {
	if len(ds) == 0 {
		ds = DefaultDistortions()
	}
	b.robustN, b.robust = crops, ds
	return b
}

// Progress draws a progress bar per pass over the crops with bar (for
// example experiment.Env.NewBar).
func (b *Builder) Progress(bar func(label string, total int) *progress.Bar) *Builder {
	b.bar = bar
	return b
}

// Done validates the configuration and looks up every cipher.
func (b *Builder) Done() (*Battery, error) {
	names := b.names
	if len(names) == 0 {
		names = DefaultNames()
	}
	switch {
	case len(names) == 0:
		return nil, fmt.Errorf("battery: no ciphers to measure")
	case !(b.alpha > 0 && b.alpha < 1):
		return nil, fmt.Errorf("battery: alpha %g: want 0 < alpha < 1", b.alpha)
	case b.keyCrops < 0 || b.robustN < 0:
		return nil, fmt.Errorf("battery: %d key-sensitivity and %d robustness crops: want ≥ 0", b.keyCrops, b.robustN)
	}
	dists := map[string]bool{}
	for i, d := range b.robust {
		if d.Name == "" || d.Apply == nil || dists[d.Name] || d.Name == NoDistortion {
			return nil, fmt.Errorf("battery: distortion %d (%q): want a unique name other than %q and an Apply function", i, d.Name, NoDistortion)
		}
		dists[d.Name] = true
	}
	bt := &Battery{cfg: *b, names: slices.Clone(names)}
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			return nil, fmt.Errorf("battery: cipher %q listed twice", name)
		}
		seen[name] = true
		scheme, err := cipher.Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("battery: %w", err)
		}
		k := scheme.GenerateKey(bt.sub("key", name))
		c, err := scheme.New(k)
		if err != nil {
			return nil, fmt.Errorf("battery: %s: %w", name, err)
		}
		// The wrong-key figure decrypts with key bit 0 flipped; a scheme
		// whose flipped key is out of range has no such panel (nil).
		w, _ := scheme.New(k.FlipBit(0))
		bt.keyed = append(bt.keyed, keyed{name: name, scheme: scheme, c: c, wrong: w, key: k.String()})
	}
	return bt, nil
}

// DefaultNames returns what a battery built with no names measures: every
// registered scheme (cipher.Names(), sorted) except the deliberately weak
// controls (cipher.IsControl, e.g. "perm-only"). A control exists for the
// one experiment that needs a cipher known to fail (the recognition
// experiment's classifier must tell "perm-only" from the good ciphers); it
// is no member of any cipher family, so the registry-wide tables — the
// survey's comparison of the families, every default battery — leave it
// out, and registering one changes none of their numbers.
func DefaultNames() []string {
	var names []string
	for _, name := range cipher.Names() {
		if s, err := cipher.Lookup(name); err == nil && !cipher.IsControl(s) {
			names = append(names, name)
		}
	}
	return names
}

// keyed is one cipher of the battery under its key (and the key with bit 0
// flipped, for the wrong-key figure; nil when that key is out of range).
type keyed struct {
	name     string
	scheme   cipher.Scheme
	c, wrong cipher.Cipher
	key      string
}

// Battery measures a fixed list of ciphers, each under a key drawn from the
// seed. Make one with Build(...).Done(); it is safe for concurrent use.
type Battery struct {
	cfg   Builder
	names []string
	keyed []keyed
}

// Names returns the measured ciphers in table order.
func (bt *Battery) Names() []string { return slices.Clone(bt.names) }

// Key returns the key line of the named cipher ("" if it is not measured).
func (bt *Battery) Key(name string) string {
	for _, k := range bt.keyed {
		if k.name == name {
			return k.key
		}
	}
	return ""
}

// sub derives a seed in the battery's domain.
func (bt *Battery) sub(parts ...any) uint64 {
	return seeds.Sub(bt.cfg.seed, append([]any{bt.cfg.domain}, parts...)...)
}

func (bt *Battery) newBar(label string, total int) *progress.Bar {
	if bt.cfg.bar == nil {
		return progress.New(nil, label, total)
	}
	return bt.cfg.bar(label, total)
}

// Run measures every crop of the plan (split All: train then test) in one
// streamed pass, chunk by chunk in parallel, and hashes the data on the
// way. Errors name the crop, the cipher and the test.
func (bt *Battery) Run(ctx context.Context, plan *dataset.Plan) (*Report, error) {
	n := plan.Len(dataset.All)
	if n == 0 {
		return nil, fmt.Errorf("battery: %s gave no crops", plan.Source().Name())
	}
	rep := &Report{bt: bt, cropSize: plan.Config.Size, peak: imageio.MaxVal8, crops: make([]perCrop, n)}
	nKey, nRobust := min(bt.cfg.keyCrops, n), 0
	if len(bt.cfg.robust) > 0 {
		nRobust = min(bt.cfg.robustN, n)
	}
	rep.keys = make([][]keyStats, nKey)
	rep.robust = make([][]robustStats, nRobust)
	hasher := plan.NewHasher()
	bar := bt.newBar(bt.cfg.domain+" crops", n)
	defer bar.Done()
	var buf []dataset.Crop
	start := 0
	flush := func() error {
		err := ParallelFor(ctx, len(buf), func(j int) error {
			i, c := start+j, buf[j]
			var err error
			if rep.crops[i], err = bt.measureCrop(c.Image, bt.sub("crop", i)); err != nil {
				return fmt.Errorf("crop %d (%s at %d,%d): %w", i, c.ImageID, c.X, c.Y, err)
			}
			if i < nKey {
				if rep.keys[i], err = bt.keySensitivity(c.Image, bt.sub("keysens", i)); err != nil {
					return fmt.Errorf("key sensitivity, crop %d: %w", i, err)
				}
			}
			if i < nRobust {
				if rep.robust[i], err = bt.robustness(c.Image, bt.sub("robust", i)); err != nil {
					return fmt.Errorf("robustness, crop %d: %w", i, err)
				}
			}
			bar.Add(1)
			return nil
		})
		start += len(buf)
		buf = buf[:0]
		return err
	}
	for c, err := range plan.Stream(ctx, dataset.All) {
		if err != nil {
			return nil, fmt.Errorf("battery: %w", err)
		}
		if err := hasher.Add(c); err != nil {
			return nil, fmt.Errorf("battery: %w", err)
		}
		if start+len(buf) == 0 {
			rep.first, rep.peak = c.Image, c.Image.MaxValue()
		} else if c.Image.MaxValue() != rep.peak {
			return nil, fmt.Errorf("battery: crop %d (%s) is %d-bit, the first crop %d-bit: one depth per crop set", start+len(buf), c.ImageID, c.Image.BitDepth(), rep.first.BitDepth())
		}
		buf = append(buf, c)
		if len(buf) == chunk {
			if err := flush(); err != nil {
				return nil, fmt.Errorf("battery: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("battery: %w", err)
	}
	var err error
	if rep.dataHash, err = hasher.Sum(); err != nil {
		return nil, fmt.Errorf("battery: %w", err)
	}
	return rep, nil
}

// ParallelFor calls fn(i) for every i in [0, n) on GOMAXPROCS workers
// (stopping early only when ctx is done) and returns ctx's error or the
// error of the lowest failing i. Results must be written by index, so they
// do not depend on scheduling. The battery measures a chunk of crops with
// it; experiments that add their own per-crop measures use it too. Ours.
func ParallelFor(ctx context.Context, n int, fn func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = callRecovering(fn, i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// callRecovering returns fn(i), or an error for a panic inside it (a
// registered cipher from elsewhere may panic; a worker goroutine's panic
// would otherwise kill the whole process, which no caller can recover).
func callRecovering(fn func(i int) error, i int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("item %d: panic: %v", i, r)
		}
	}()
	return fn(i)
}

// imageStats are the single-image tests.
type imageStats struct {
	Entropy, LocalEntropy, CorrH, CorrV, CorrD, Chi2 float64
	Chi2Pass                                         bool
}

// cipherStats are the tests of one cipher on one crop.
type cipherStats struct {
	imageStats
	NPCR, UACI         float64 // one-pixel plaintext change
	NPCRPass, UACIPass bool    // Wu et al. at Alpha
	RoundTrip          bool
	SSIM               float64 // SSIM(plain, cipher image): distortion
}

// perCrop holds everything measured on one crop.
type perCrop struct {
	plain  imageStats
	cipher []cipherStats // indexed like the battery's ciphers
}

// measureCrop encrypts one crop with every cipher and measures it.
func (bt *Battery) measureCrop(p *imageio.Gray, seed uint64) (perCrop, error) {
	var out perCrop
	var err error
	if out.plain, err = bt.stats(p, seed); err != nil {
		return out, fmt.Errorf("plain image: %w", err)
	}
	// The one-pixel change: a seeded position, value +1 mod 2^depth.
	pos := int(seed % uint64(p.Len()))
	p2 := p.Clone()
	p2.SetSample(pos, p2.Sample(pos)+1)
	out.cipher = make([]cipherStats, len(bt.keyed))
	for j, k := range bt.keyed {
		if out.cipher[j], err = bt.measureCipher(k.c, p, p2, seed); err != nil {
			return out, fmt.Errorf("%s: %w", k.name, err)
		}
	}
	return out, nil
}

func (bt *Battery) measureCipher(c cipher.Cipher, p, p2 *imageio.Gray, seed uint64) (cipherStats, error) {
	var s cipherStats
	c1, err := c.Encrypt(p)
	if err != nil {
		return s, err
	}
	back, err := c.Decrypt(c1)
	if err != nil {
		return s, err
	}
	s.RoundTrip = back.Equal(p)
	if s.imageStats, err = bt.stats(c1, seed); err != nil {
		return s, err
	}
	if s.SSIM, err = metrics.SSIM(p, c1); err != nil {
		return s, err
	}
	c2, err := c.Encrypt(p2)
	if err != nil {
		return s, err
	}
	d, err := metrics.NPCRUACI(c1, c2)
	if err != nil {
		return s, err
	}
	s.NPCR, s.UACI = d.NPCR, d.UACI
	wu, err := metrics.WuTest(d, p.Width, p.Height, bt.cfg.alpha)
	if err != nil {
		return s, err
	}
	s.NPCRPass, s.UACIPass = wu.NPCRPass, wu.UACIPass
	return s, nil
}

func (bt *Battery) stats(g *imageio.Gray, seed uint64) (imageStats, error) {
	var s imageStats
	var err error
	if s.Entropy, err = metrics.Entropy(g); err != nil {
		return s, err
	}
	// Local entropy needs at least one block: smaller crops report NaN
	// ("—"), not an error.
	s.LocalEntropy = math.NaN()
	if g.Width >= metrics.LocalEntropyBlockSize && g.Height >= metrics.LocalEntropyBlockSize {
		le, err := metrics.LocalEntropy(g, seed)
		if err != nil {
			return s, err
		}
		s.LocalEntropy = le.Mean
	}
	corr, err := metrics.Correlations(g)
	if err != nil {
		return s, err
	}
	s.CorrH, s.CorrV, s.CorrD = corr.H, corr.V, corr.D
	chi, err := metrics.ChiSquare(g)
	if err != nil {
		return s, err
	}
	s.Chi2, s.Chi2Pass = chi.Stat, chi.Pass(bt.cfg.alpha)
	return s, nil
}

// keyStats is the outcome of one flipped key bit on one crop for one cipher.
type keyStats struct {
	Bit          int
	NPCR, UACI   float64 // between the ciphertexts under the key and the flipped key
	WrongKeyPSNR float64 // PSNR(plain, decryption of the ciphertext with the flipped key)
	Unchanged    bool    // the flipped key gave the same ciphertext
	Invalid      bool    // the flipped key is out of the scheme's range
}

// keySensitivity draws a fresh key per cipher for the crop and measures
// the effect of flipping each of the battery's key bits; the result is
// indexed [cipher·len(bits) + bit index].
func (bt *Battery) keySensitivity(p *imageio.Gray, seed uint64) ([]keyStats, error) {
	var out []keyStats
	for _, kd := range bt.keyed {
		k := kd.scheme.GenerateKey(seeds.Sub(seed, kd.name))
		c, err := kd.scheme.New(k)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kd.name, err)
		}
		c1, err := c.Encrypt(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kd.name, err)
		}
		for _, bit := range bt.cfg.bits {
			ks := keyStats{Bit: bit}
			w, err := kd.scheme.New(k.FlipBit(bit))
			if err != nil {
				ks.Invalid = true
				out = append(out, ks)
				continue
			}
			c2, err := w.Encrypt(p)
			if err != nil {
				return nil, fmt.Errorf("%s, bit %d flipped: %w", kd.name, bit, err)
			}
			d, err := metrics.NPCRUACI(c1, c2)
			if err != nil {
				return nil, err
			}
			ks.NPCR, ks.UACI, ks.Unchanged = d.NPCR, d.UACI, c1.Equal(c2)
			back, err := w.Decrypt(c1)
			if err != nil {
				return nil, fmt.Errorf("%s, bit %d flipped: decrypting: %w", kd.name, bit, err)
			}
			if ks.WrongKeyPSNR, err = metrics.PSNR(p, back); err != nil {
				return nil, err
			}
			out = append(out, ks)
		}
	}
	return out, nil
}
