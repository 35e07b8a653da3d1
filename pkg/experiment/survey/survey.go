// Package survey measures what the survey of neural-network image ciphers
// (Lyu, "Application of Neural Network Models in Image Encryption and
// Differential Analysis", 2025; shared/papers/
// survey-four-nn-image-encryption-models.txt) states in words only: its §3
// and Tables 1–2 compare four families — chaotic, cellular, convolutional
// and generative-adversarial neural networks — on six aspects (key space
// size, key sensitivity, neighbouring-pixel correlation, noise resistance,
// image distortion, visual entropy). This experiment puts a number on each
// aspect for every registered cipher and judges each statement with an
// explicit rule.
//
// It is registry-driven: it measures every scheme of cipher.Names() (the
// bit-plane ciphers, AES-CTR, and whatever else is registered — Hopfield,
// cellular, convolutional, GAN ciphers) with no edit here, except the
// deliberately weak controls (cipher.IsControl, e.g. "perm-only": a control
// exists for the recognition experiment's classifier and says nothing about
// the survey's families, so it is left out, as from every default battery,
// battery.DefaultNames), and groups the columns by cipher.ClassOf. A family's claims are judged on the schemes
// whose class stands for it (Families); a family with no registered scheme
// gets "not applicable" claims naming the issue that will add one.
//
// Per cipher, every aspect is a mean ± standard deviation over crops of a
// per-crop value: the key space from cipher.KeySpacer (one number per
// scheme), and the security battery's (pkg/battery) key sensitivity,
// adjacent-pixel correlations, noise/occlusion robustness and entropies;
// the distortion, SSIM(plain, cipher image), and the noise-resistance score
// are computed here. Beside the aspect table and one bar figure per aspect,
// the result holds one attack table per cipher (pkg/attack; two for
// nonce-keyed schemes: fresh and reused nonce).
package survey

import (
	"context"
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// ID is the experiment's identifier.
const ID = "survey"

// Alpha is the significance level of the Wu NPCR critical value that the
// key-sensitivity rule uses (the battery's level).
const Alpha = battery.DefaultAlpha

// FlippedBits are the key bits the key-sensitivity test flips, in each
// scheme's canonical key bits (cipher.Key.FlipBit): the "smallest key
// change" of the survey's §3.2. Bit 0 is one ulp of the first parameter
// (the initial condition x0 of the chaotic keys: the ΔX of the survey's eq.
// (1)); bit 8 is mantissa bit 8 of it, the smallest flip that rounding never
// absorbs in the chaotic keys (pkg/cipher ChaosParams: bits ≥ 8 changed the
// ciphertext for all 200 keys measured); bit 52 is one ulp of the second
// parameter (a control parameter, r for the bit-plane keys: eq. (1)'s Δα),
// since the float-parameter keys (pkg/cipher) give each parameter 52
// mantissa bits. For AES and trained keys these are simply three key bits.
var FlippedBits = []int{0, 8, 52}

// SensitivityBit is the flipped bit whose NPCR the key-sensitivity claims
// judge: bit 8, the smallest change of the first parameter that rounding
// never absorbs. Bit 0's absorbed flips (ciphertext unchanged) shrink the
// effective key space rather than measure sensitivity; the table shows them.
const SensitivityBit = 8

// NoiseFraction is the share of pixels hit by the salt-and-pepper noise of
// the noise-resistance score: 1 %, the battery's mildest noise.
const NoiseFraction = 0.01

// Settings is the data size of one profile.
type Settings struct {
	CropSize  int // side of the square crops
	PerImage  int // crops per source image
	MaxImages int // source images used (0: all)
	// KeyCrops and RobustCrops are the crops of the battery's
	// key-sensitivity and robustness tests (the first ones of the plan).
	KeyCrops, RobustCrops int
	// KnownPairs is the number of known plaintext/ciphertext crops given
	// to the attack suite (training crops; the target is the first test
	// crop).
	KnownPairs int
}

// ProfileSettings gives the sizes per profile. Quick uses 128² crops (four
// per stand-in photo, 56 crops): every registered cipher, the Hopfield and
// cellular ones included, runs the battery's key-sensitivity and
// robustness tests on them, and the suite's time goal is shared with the
// other experiments. Paper uses the papers' 256² crops.
var ProfileSettings = map[experiment.Profile]Settings{
	experiment.Smoke: {CropSize: 64, PerImage: 1, MaxImages: 4, KeyCrops: 4, RobustCrops: 4, KnownPairs: 2},
	experiment.Quick: {CropSize: 128, PerImage: 4, KeyCrops: battery.DefaultKeyCrops, RobustCrops: battery.DefaultRobustnessCrops, KnownPairs: 4},
	experiment.Paper: {CropSize: 256, PerImage: 4, KeyCrops: battery.DefaultKeyCrops, RobustCrops: battery.DefaultRobustnessCrops, KnownPairs: 8},
}

// Citation of the survey.
var Citation = results.Citation{
	Key:   "Survey",
	Title: "Application of Neural Network Models in Image Encryption and Differential Analysis",
	Ref:   "Lyu, Lanzhou University, 2025, CC BY 4.0 (shared/papers/survey-four-nn-image-encryption-models.txt)",
}

// Experiment is the survey experiment.
type Experiment struct{}

// New returns the survey experiment.
func New() *Experiment { return &Experiment{} }

// ID implements experiment.Experiment.
func (*Experiment) ID() string { return ID }

// Title implements experiment.Experiment.
func (*Experiment) Title() string {
	return "The survey, measured: four families of neural image ciphers on six aspects"
}

// Papers implements experiment.Experiment.
func (*Experiment) Papers() []results.Citation { return []results.Citation{Citation} }

// Run implements experiment.Experiment: the battery on every registered
// cipher, the distortion and noise baseline pass, the aspect table and
// figures, the claims and the attack tables.
func (e *Experiment) Run(ctx context.Context, env *experiment.Env) (*results.Result, error) {
	spec, err := experiment.ForProfile(ID, ProfileSettings, env.Profile)
	if err != nil {
		return nil, err
	}
	plan, err := experiment.CropPlan(env, ID, spec.CropSize, spec.PerImage, spec.MaxImages)
	if err != nil {
		return nil, err
	}
	n := plan.Len(dataset.All)
	if plan.Len(dataset.Test) == 0 {
		return nil, fmt.Errorf("%s: %s gave %d %d² crops and no test crop (the attacks' target is one)", ID, env.Data.Name(), n, spec.CropSize)
	}
	trained, err := experiment.BindTrainedCiphers(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	// No names: every registered scheme but the controls, sorted
	// (battery.DefaultNames), the trained ciphers just bound included.
	ms, err := MeasureCiphers(ctx, env, plan, spec)
	if err != nil {
		return nil, err
	}
	m, cs, rep := ms.m, ms.cs, ms.Report
	res := &results.Result{
		Summary:  summary(m, n),
		Tables:   []results.Table{ms.Table},
		Figures:  ms.Figures,
		Claims:   ms.Claims,
		DataHash: rep.DataHash(),
	}
	ats, attackNote, err := attackTables(ctx, plan, cs, spec, seeds.Sub(env.Seed, ID, "attacks"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	res.Tables = append(res.Tables, ats...)
	res.Notes = notes(m, spec, n, env.Data.Name(), rep.DataHash(), attackNote, trained)
	return res, nil
}

// Measured is the survey's measurement of a set of ciphers on a crop
// plan: the battery's report, the aspect table, one bar figure per aspect
// and every claim of the survey judged on those ciphers (a family none of
// them stands for gets "not applicable" rows).
type Measured struct {
	Report  *battery.Report
	Table   results.Table
	Figures []results.Figure
	Claims  []results.Claim
	m       *measurement
	cs      []described
}

// MeasureCiphers runs the survey's battery (key sensitivity at
// FlippedBits, robustness, at the profile's sizes spec) on the named
// schemes over plan — every registered one but the controls when names is
// empty (battery.DefaultNames) — adds the distortion and noise baseline
// pass, and judges the survey's claims. A control given by name is
// measured and shown, marked "(control)", but never judged as a family
// member. The survey experiment measures every cipher with it; an
// experiment of one family (the GAN cipher's) measures its own cipher
// beside a baseline and keeps its family's rows (claims whose statement
// starts "<family>: ").
func MeasureCiphers(ctx context.Context, env *experiment.Env, plan *dataset.Plan, spec Settings, names ...string) (*Measured, error) {
	bt, err := battery.Build(names...).Seed(env.Seed, ID).Alpha(Alpha).
		KeySensitivity(spec.KeyCrops, FlippedBits...).
		Robustness(spec.RobustCrops).Progress(env.NewBar).Done()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	rep, err := bt.Run(ctx, plan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	cs, err := describe(bt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	own, err := measureOwn(ctx, plan, min(spec.RobustCrops, plan.Len(dataset.All)), seeds.Sub(env.Seed, ID, "noise baseline"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	m := measure(rep, cs, own)
	return &Measured{Report: rep, Table: m.table(), Figures: m.figures(), Claims: claims(m), m: m, cs: cs}, nil
}

// cipherIndex is the index of the named cipher among those measured, or
// -1.
func (ms *Measured) cipherIndex(name string) int {
	for j, c := range ms.cs {
		if c.name == name {
			return j
		}
	}
	return -1
}

// NoiseScore is the named cipher's noise-resistance score — the mean over
// crops of SSIM(plain, decryption of the cipher image hit by the survey's
// noise) / SSIM(plain, plain image hit by the same noise) — or NaN when
// it was not measured.
func (ms *Measured) NoiseScore(name string) float64 {
	if j := ms.cipherIndex(name); j >= 0 {
		return ms.m.mean(keyNoiseScore, j)
	}
	return math.NaN()
}

// MaxCorrelation is the named cipher's largest |mean adjacent-pixel
// correlation| over the three directions, or NaN when it was not
// measured.
func (ms *Measured) MaxCorrelation(name string) float64 {
	if j := ms.cipherIndex(name); j >= 0 {
		return ms.m.maxCorr(j)
	}
	return math.NaN()
}
