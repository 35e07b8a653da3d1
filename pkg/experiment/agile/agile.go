// Package agile is the experiment of the agile convolutional cipher
// (pkg/models/agilenet): the agile paper's learned cipher with chaotic key
// planes (shared/papers/agile-dl-image-encryption-abstract.txt), standing
// for the survey's convolutional-NN family (survey-four-nn-image-
// encryption-models.txt §2.3 and §3), trained with GoMLX on the profile's
// crops; its loss terms ablated; measured in its three forms (no
// post-processing, obfuscation, diffusion) by the security battery beside
// AES-256-CTR and the chaotic-NN cipher; its agility (unseen keys) and key
// sensitivity measured; and ciphertext-domain inference (the paper's third
// part) tried on a labelled shapes task.
//
// The trained model is a cached, checkpointed unit; it is registered in
// its three forms as "agile/<profile>", "agile-obf/<profile>" and
// "agile-diff/<profile>" for this experiment and, through
// experiment.RegisterTrainedCiphers, for the survey's registry-driven
// tables.
package agile

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/learned"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/survey"
	"github.com/neurocrypt/neurocrypt/pkg/models/agilenet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// ID is the experiment's identifier.
const ID = "agile"

// Version is this experiment's code version in cache keys.
const Version = "1"

func init() {
	experiment.RegisterTrainedCiphers(ID, func(ctx context.Context, env *experiment.Env) ([]string, error) {
		t, err := trainAndBind(ctx, env)
		if err != nil {
			return nil, err
		}
		return t.names, nil
	})
}

// Citations.
var (
	Agile = results.Citation{Key: "Agile", Title: "Research on agile image encryption based on deep learning (abstract)",
		Ref: "shared/papers/agile-dl-image-encryption-abstract.txt"}
	Survey = results.Citation{Key: "Survey", Title: "Application of Neural Network Models in Image Encryption and Differential Analysis",
		Ref: "Lyu, Lanzhou University, 2025, CC BY 4.0 (shared/papers/survey-four-nn-image-encryption-models.txt)"}
	Overview = results.Citation{Key: "Overview", Title: "Neural-network encryption overview (\"encrypted prediction\")",
		Ref: "shared/papers/nn-encryption-overview-zh.txt"}
	YuKoltun = results.Citation{Key: "YuKoltun", Title: "Multi-Scale Context Aggregation by Dilated Convolutions",
		Ref: "Yu & Koltun, ICLR 2016 (dilations 1, 2, 4, 8)"}
	Kiya = results.Citation{Key: "Kiya", Title: "Block-wise learnable image encryption with vision transformers",
		Ref: "Kiya et al. (block-wise learnable encryption keeps classification accuracy: the upper anchor of ciphertext-domain inference)"}
)

type experimentImpl struct{}

// New returns the agile cipher experiment.
func New() experiment.Experiment { return experimentImpl{} }

// ID implements experiment.Experiment.
func (experimentImpl) ID() string { return ID }

// Title implements experiment.Experiment.
func (experimentImpl) Title() string {
	return "The agile convolutional cipher: chaotic key planes, dilated CNNs trained with GoMLX, measured, and inference on cipher images"
}

// Papers implements experiment.Experiment.
func (experimentImpl) Papers() []results.Citation {
	return []results.Citation{Agile, Survey, Overview, YuKoltun, Kiya}
}

// trained is the profile's trained and bound model.
type trained struct {
	s     Settings
	tr    TrainResult
	plan  *dataset.Plan
	names []string // in agilenet.Posts order
}

// trainAndBind trains the profile's model (or reads the cached unit) and
// binds its three forms: what both the experiment and the survey's
// provider start with.
func trainAndBind(ctx context.Context, env *experiment.Env) (*trained, error) {
	s, err := experiment.ForProfile(ID, ProfileSettings, env.Profile)
	if err != nil {
		return nil, err
	}
	plan, err := experiment.CropPlan(env, ID, s.Crop, s.PerImage, s.MaxImages)
	if err != nil {
		return nil, err
	}
	tr, err := trainUnit(ctx, env, s, plan, config(env, s), true, "agile training steps")
	if err != nil {
		return nil, err
	}
	names, err := Bind(env, string(env.Profile), tr.Weights)
	if err != nil {
		return nil, err
	}
	return &trained{s: s, tr: tr, plan: plan, names: names}, nil
}

// Bind stores a weights file under ModelDir(env) and registers it in its
// three forms, "<family>/<tag>" for each family of agilenet.FamilyNames;
// it returns the scheme names in agilenet.Posts order.
func Bind(env *experiment.Env, tag string, weights []byte) ([]string, error) {
	names, err := agilenet.BindWeights(ModelDir(env), tag, weights)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	return names, nil
}

// ModelDir is where a run's weights are stored: <work dir>/models when
// there is a work dir, else the user's model store.
func ModelDir(env *experiment.Env) string {
	if env.WorkDir != "" {
		return filepath.Join(env.WorkDir, "models")
	}
	return cipher.DefaultModelDir()
}

// WrongKeyBit is the secret bit flipped for the wrong key of the
// reconstruction and agility tables and the sample images.
const WrongKeyBit = 0

// wrongBitText is WrongKeyBit in words (for row labels).
const wrongBitText = "0"

// Run implements experiment.Experiment: train (or read the cached
// model), its ablations and the inference tasks; bind; run the battery on
// the three forms beside AES-CTR and the chaotic-NN cipher over the
// held-out images; decrypt them with right and wrong keys; assemble.
func (experimentImpl) Run(ctx context.Context, env *experiment.Env) (*results.Result, error) {
	t, err := trainAndBind(ctx, env)
	if err != nil {
		return nil, err
	}
	s := t.s
	var abl []TrainResult
	if s.Ablations {
		for _, term := range Terms {
			r, err := trainUnit(ctx, env, s, t.plan, withoutTerm(t.tr.Config, term), false, "agile ablation ("+term+") steps")
			if err != nil {
				return nil, err
			}
			abl = append(abl, r)
		}
	}
	tk, err := runTasks(ctx, env, s, t.names[0], learned.WeightsSHA(t.tr.Weights))
	if err != nil {
		return nil, err
	}
	if len(t.plan.TestIDs) == 0 {
		return nil, fmt.Errorf("%s: %s gave no held-out test image", ID, env.Data.Name())
	}
	held, err := dataset.Subset(env.Data, t.plan.TestIDs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	mplan, err := dataset.NewPlan(held, dataset.CropConfig{Size: s.Measure.CropSize, PerImage: s.Measure.PerImage,
		Seed: seeds.Sub(env.Seed, ID, "measure crops")})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	measured := append(append([]string(nil), t.names...), cipher.NameHopfield, cipher.NameAESCTR)
	ms, err := survey.MeasureCiphers(ctx, env, mplan, s.Measure, measured...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	rec, err := learned.Reconstruct(ctx, mplan, t.names[0], seeds.Sub(env.Seed, ID, "key"), WrongKeyBit, s.Samples, t.names[1:]...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	sp, err := runSpeed(ctx, env, s)
	if err != nil {
		return nil, err
	}
	res := assemble(env, t, abl, tk, ms, rec)
	if sp != nil {
		res.Tables = append(res.Tables, speedTable(sp))
	}
	return res, nil
}
