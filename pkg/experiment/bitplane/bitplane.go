// Package bitplane reproduces the encryption half of RITEM-CF-AN (Liu et al.,
// "Application of machine learning in intelligent encryption for digital
// information of real-time image text under big data", EURASIP J. Wireless
// Commun. Netw. 2022:21): a Logistic-Sine keystream on the four low bit
// planes and a Lorenz keystream on the four high ones, measured with the
// standard image-cipher security tests beside AES-256-CTR.
//
// Three ciphers are measured (see pkg/cipher): "bitplane-xor", the scheme as
// the paper describes it; "bitplane", the same keystreams plus the
// permutation/diffusion stage the paper is silent about but which its NPCR
// and UACI figures require; and "aes-ctr", the baseline.
package bitplane

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/progress"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// ID is the experiment's identifier.
const ID = "bitplane"

// Version is this experiment's code version (part of its cache key).
const Version = "1"

// Ciphers are the ciphers measured, in table order.
var Ciphers = []string{"bitplane-xor", "bitplane", "aes-ctr"}

// Alpha is the significance level of the pass/fail columns (Wu's NPCR/UACI
// tests and the χ² test).
const Alpha = 0.05

// ScatterPairs is the number of adjacent pairs drawn in each scatter plot.
const ScatterPairs = 3000

// Spec is the data size of one profile.
type Spec struct {
	CropSize  int // side of the square crops
	PerImage  int // crops per source image
	MaxImages int // source images used (0: all)
}

// Specs gives the sizes per profile. The quick profile uses the paper's
// 256² crops: the stand-in photos are 512² and cipher metrics are cheap, so
// there is no reason to shrink them (and Wu's critical values then match the
// paper's image size).
var Specs = map[experiment.Profile]Spec{
	experiment.Smoke: {CropSize: 64, PerImage: 4, MaxImages: 4},
	experiment.Quick: {CropSize: 256, PerImage: 4},
	experiment.Paper: {CropSize: 256, PerImage: 4},
}

// Citation of the reproduced paper.
var Citation = results.Citation{
	Key:   "RITEM-CF-AN",
	Title: "Application of machine learning in intelligent encryption for digital information of real-time image text under big data",
	Ref:   "Liu, Gao, Zhang et al., EURASIP J. Wireless Commun. Netw. 2022:21 (shared/papers/ritem-cf-an-chaotic-alexnet.txt)",
}

// Experiment is the bit-plane experiment.
type Experiment struct{}

// New returns the bit-plane experiment.
func New() *Experiment { return &Experiment{} }

// ID implements experiment.Experiment.
func (*Experiment) ID() string { return ID }

// Title implements experiment.Experiment.
func (*Experiment) Title() string {
	return "Chaotic bit-plane cipher (RITEM-CF-AN, encryption half): security analysis"
}

// Papers implements experiment.Experiment.
func (*Experiment) Papers() []results.Citation { return []results.Citation{Citation} }

// KeyCrops is the number of crops (each with its own key) of the key
// sensitivity test: a new key means new keystreams, which costs more than
// an encryption, so the test is capped.
const KeyCrops = 64

// FlippedBits are the key bits flipped in the key-sensitivity test: bit 0
// (each scheme's "least significant bit of the first parameter") and bit 8
// (for the chaotic keys, mantissa bit 8 of x0: flips of the lowest mantissa
// bits can be absorbed by floating-point rounding).
var FlippedBits = []int{0, 8}

// keyStats is the outcome of one flipped key bit on one crop for one cipher.
type keyStats struct {
	Cipher       string
	Bit          int
	NPCR, UACI   float64 // between the ciphertexts under the key and the flipped key
	WrongKeyPSNR float64 // PSNR(plain, decryption of the ciphertext with the flipped key)
	Unchanged    bool    // the flipped key gave the same ciphertext
	Invalid      bool    // the flipped key is out of the scheme's range
}

// keySensitivity draws a fresh key per cipher for the crop and measures the
// effect of flipping each of FlippedBits.
func keySensitivity(p *imageio.Gray, seed uint64) ([]keyStats, error) {
	var out []keyStats
	for _, name := range Ciphers {
		scheme, err := cipher.Lookup(name)
		if err != nil {
			return nil, err
		}
		k := scheme.GenerateKey(seeds.Sub(seed, name))
		c, err := scheme.New(k)
		if err != nil {
			return nil, err
		}
		c1, err := c.Encrypt(p)
		if err != nil {
			return nil, err
		}
		for _, bit := range FlippedBits {
			ks := keyStats{Cipher: name, Bit: bit}
			w, err := scheme.New(k.FlipBit(bit))
			if err != nil {
				ks.Invalid = true
				out = append(out, ks)
				continue
			}
			c2, err := w.Encrypt(p)
			if err != nil {
				return nil, err
			}
			d, err := metrics.NPCRUACI(c1, c2)
			if err != nil {
				return nil, err
			}
			ks.NPCR, ks.UACI, ks.Unchanged = d.NPCR, d.UACI, c1.Equal(c2)
			back, err := w.Decrypt(c1)
			if err != nil {
				return nil, err
			}
			if ks.WrongKeyPSNR, err = metrics.PSNR(p, back); err != nil {
				return nil, err
			}
			out = append(out, ks)
		}
	}
	return out, nil
}

// parallelFor calls fn(i) for every i in [0, n) on GOMAXPROCS workers
// (stopping early only when ctx is done) and returns the error of the lowest
// failing i. Results must be written by index, so they do not depend on
// scheduling.
func parallelFor(ctx context.Context, n int, bar *progress.Bar, fn func(i int) error) error {
	defer bar.Done()
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
				bar.Add(1)
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

// perCrop holds everything measured on one crop.
type perCrop struct {
	plain  imageStats
	cipher []cipherStats // indexed like Ciphers
}

type imageStats struct {
	Entropy, LocalEntropy, CorrH, CorrV, CorrD, Chi2 float64
	Chi2Pass                                         bool
}

type cipherStats struct {
	imageStats
	NPCR, UACI         float64 // one-pixel plaintext change
	NPCRPass, UACIPass bool    // Wu et al. at Alpha
	RoundTrip          bool
}

// Run implements experiment.Experiment.
func (e *Experiment) Run(ctx context.Context, env *experiment.Env) (*results.Result, error) {
	spec, ok := Specs[env.Profile]
	if !ok {
		return nil, fmt.Errorf("bitplane: unknown profile %q", env.Profile)
	}
	if env.Data == nil {
		return nil, fmt.Errorf("bitplane: no dataset")
	}
	set, err := dataset.NewSet(env.Data, dataset.CropConfig{
		Size: spec.CropSize, PerImage: spec.PerImage, MaxImages: spec.MaxImages,
		TestFraction: 0.2, Seed: seeds.Sub(env.Seed, ID, "crops"),
	})
	if err != nil {
		return nil, fmt.Errorf("bitplane: %w", err)
	}
	crops := append(append([]dataset.Crop{}, set.Train...), set.Test...)
	if len(crops) == 0 {
		return nil, fmt.Errorf("bitplane: %s gave no %d² crops", env.Data.Name(), spec.CropSize)
	}
	env.Logf("bitplane: %d crops of %d² from %s (data hash %.16s)", len(crops), spec.CropSize, env.Data.Name(), set.Hash())

	type keyed struct {
		c, wrong cipher.Cipher
		key      string
		flipped  string
	}
	ciphers := make([]keyed, len(Ciphers))
	for i, name := range Ciphers {
		scheme, err := cipher.Lookup(name)
		if err != nil {
			return nil, err
		}
		k := scheme.GenerateKey(seeds.Sub(env.Seed, ID, "key", name))
		kf := k.FlipBit(0)
		c, err := scheme.New(k)
		if err != nil {
			return nil, err
		}
		w, err := scheme.New(kf)
		if err != nil {
			return nil, err
		}
		ciphers[i] = keyed{c: c, wrong: w, key: k.String(), flipped: kf.String()}
	}

	cs := make([]cipher.Cipher, len(ciphers))
	for j, k := range ciphers {
		cs[j] = k.c
	}
	measured := make([]perCrop, len(crops))
	err = parallelFor(ctx, len(crops), env.NewBar("bitplane crops", len(crops)), func(i int) error {
		var err error
		measured[i], err = measureCrop(crops[i].Image, cs, seeds.Sub(env.Seed, ID, "crop", i))
		if err != nil {
			return fmt.Errorf("crop %d (%s at %d,%d): %w", i, crops[i].ImageID, crops[i].X, crops[i].Y, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bitplane: %w", err)
	}
	nKey := min(KeyCrops, len(crops))
	keyResults := make([][]keyStats, nKey)
	err = parallelFor(ctx, nKey, env.NewBar("bitplane key sensitivity", nKey), func(i int) error {
		var err error
		keyResults[i], err = keySensitivity(crops[i].Image, seeds.Sub(env.Seed, ID, "keysens", i))
		if err != nil {
			return fmt.Errorf("key sensitivity, crop %d: %w", i, err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bitplane: %w", err)
	}

	res := &results.Result{}
	res.Tables = append(res.Tables, securityTable(measured, spec), criticalTable(spec), keyTable(keyResults))
	figs, err := figures(crops[0].Image, ciphers[1].c, ciphers[2].c, ciphers[0].c, ciphers[1].wrong, env.Seed)
	if err != nil {
		return nil, err
	}
	res.Figures = figs
	res.Claims = claims(measured, spec)
	res.Notes = notes(spec, len(crops), env.Data.Name(), set.Hash(), ciphers[1].key)
	res.DataHash = set.Hash()
	return res, nil
}

// measureCrop encrypts one crop with every cipher and measures it.
func measureCrop(p *imageio.Gray, cs []cipher.Cipher, seed uint64) (perCrop, error) {
	var out perCrop
	var err error
	if out.plain, err = stats(p, seed); err != nil {
		return out, err
	}
	// The one-pixel change: a seeded position, value +1 mod 256.
	pos := int(seed % uint64(p.Len()))
	p2 := p.Clone()
	p2.Pix[pos]++
	out.cipher = make([]cipherStats, len(cs))
	for j, c := range cs {
		var s cipherStats
		c1, err := c.Encrypt(p)
		if err != nil {
			return out, err
		}
		back, err := c.Decrypt(c1)
		if err != nil {
			return out, err
		}
		s.RoundTrip = back.Equal(p)
		if s.imageStats, err = stats(c1, seed); err != nil {
			return out, err
		}
		c2, err := c.Encrypt(p2)
		if err != nil {
			return out, err
		}
		d, err := metrics.NPCRUACI(c1, c2)
		if err != nil {
			return out, err
		}
		s.NPCR, s.UACI = d.NPCR, d.UACI
		wu, err := metrics.WuTest(d, p.Width, p.Height, Alpha)
		if err != nil {
			return out, err
		}
		s.NPCRPass, s.UACIPass = wu.NPCRPass, wu.UACIPass
		out.cipher[j] = s
	}
	return out, nil
}

func stats(g *imageio.Gray, seed uint64) (imageStats, error) {
	var s imageStats
	var err error
	if s.Entropy, err = metrics.Entropy(g); err != nil {
		return s, err
	}
	le, err := metrics.LocalEntropy(g, seed)
	if err != nil {
		return s, err
	}
	s.LocalEntropy = le.Mean
	corr, err := metrics.Correlations(g)
	if err != nil {
		return s, err
	}
	s.CorrH, s.CorrV, s.CorrD = corr.H, corr.V, corr.D
	chi, err := metrics.ChiSquare(g)
	if err != nil {
		return s, err
	}
	s.Chi2, s.Chi2Pass = chi.Stat, chi.Pass(Alpha)
	return s, nil
}

// meanSD returns the mean and (population) standard deviation of f over
// the crops, ignoring NaN values.
func meanSD(n int, f func(i int) float64) (mean, sd float64) {
	var sum, sum2 float64
	k := 0
	for i := 0; i < n; i++ {
		v := f(i)
		if math.IsNaN(v) {
			continue
		}
		sum += v
		sum2 += v * v
		k++
	}
	if k == 0 {
		return math.NaN(), math.NaN()
	}
	mean = sum / float64(k)
	return mean, math.Sqrt(math.Max(0, sum2/float64(k)-mean*mean))
}

// percent returns the percentage of crops for which f is true.
func percent(n int, f func(i int) bool) float64 {
	k := 0
	for i := 0; i < n; i++ {
		if f(i) {
			k++
		}
	}
	return 100 * float64(k) / float64(n)
}
