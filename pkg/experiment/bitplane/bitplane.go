// Package bitplane reproduces the encryption half of RITEM-CF-AN (Liu et al.,
// "Application of machine learning in intelligent encryption for digital
// information of real-time image text under big data", EURASIP J. Wireless
// Commun. Netw. 2022:21): a Logistic-Sine keystream on the four low bit
// planes and a Lorenz keystream on the four high ones, measured with the
// standard image-cipher security tests beside AES-256-CTR.
//
// Three ciphers are measured by the security battery (pkg/battery), named
// in Ciphers (see pkg/cipher): "bitplane-xor", the scheme as the paper
// describes it; "bitplane", the same keystreams plus the
// permutation/diffusion stage the paper is silent about but which its NPCR
// and UACI figures require; and "aes-ctr", the baseline.
package bitplane

import (
	"context"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// ID is the experiment's identifier.
const ID = "bitplane"

// Ciphers are the ciphers measured, by registry name, in table order.
var Ciphers = []string{cipher.NameBitplaneXOR, cipher.NameBitplane, cipher.NameAESCTR}

// Focal is the cipher the figures show: the paper's keystreams with our
// permutation/diffusion stage.
const Focal = cipher.NameBitplane

// Alpha is the significance level of the pass/fail columns (Wu's NPCR/UACI
// tests and the χ² test).
const Alpha = battery.DefaultAlpha

// Settings is the data size of one profile.
type Settings struct {
	CropSize  int // side of the square crops
	PerImage  int // crops per source image
	MaxImages int // source images used (0: all)
}

// ProfileSettings gives the sizes per profile. The quick profile uses the
// paper's 256² crops: the stand-in photos are 512² and cipher metrics are
// cheap, so there is no reason to shrink them (and Wu's critical values
// then match the paper's image size).
var ProfileSettings = map[experiment.Profile]Settings{
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

// Run implements experiment.Experiment: it streams the profile's crops
// through the security battery.
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
	bt, err := battery.Build(Ciphers...).Seed(env.Seed, ID).Alpha(Alpha).Robustness(battery.DefaultRobustnessCrops).Progress(env.NewBar).Done()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	rep, err := bt.Run(ctx, plan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	figs, err := rep.Figures(Focal)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	figs[0].Caption += " \"bitplane-xor\" is the paper's scheme as written, \"bitplane\" adds our permutation/diffusion stage, \"aes-ctr\" is the AES-256-CTR baseline."
	return &results.Result{
		Summary:  summary(rep, spec, n),
		Tables:   rep.Tables(),
		Figures:  figs,
		Claims:   claims(rep, spec),
		Notes:    notes(spec, n, env.Data.Name(), rep.DataHash(), bt.Key(Focal)),
		DataHash: rep.DataHash(),
	}, nil
}
