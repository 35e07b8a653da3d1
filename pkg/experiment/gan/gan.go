// Package gan is the experiment of the GAN cipher (pkg/models/gannet): the
// survey's "direct ciphertext generation" GAN family (shared/papers/
// survey-four-nn-image-encryption-models.txt §2.4 and §3), trained with
// GoMLX on the profile's crops, measured by the security battery beside
// the AES-256-CTR baseline, judged against the survey's statements about
// GAN ciphers, and attacked with a freshly trained discriminator.
//
// The trained model is a cached, checkpointed unit; it is registered as the
// cipher "gan/<profile>" for this experiment and, through
// experiment.RegisterTrainedCiphers, for the survey's registry-driven table.
package gan

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/gannet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// ID is the experiment's identifier.
const ID = "gan"

// Version is this experiment's code version in cache keys.
const Version = "1"

func init() {
	experiment.RegisterTrainedCiphers(ID, func(ctx context.Context, env *experiment.Env) ([]string, error) {
		t, err := trainAndBind(ctx, env)
		if err != nil {
			return nil, err
		}
		return []string{t.name}, nil
	})
}

// trained is the profile's trained and bound cipher.
type trained struct {
	s    Settings
	tr   TrainResult
	plan *dataset.Plan
	name string
}

// trainAndBind trains the profile's model (or reads the cached unit) and
// binds it as "gan/<profile>": what both the experiment and the survey's
// provider start with.
func trainAndBind(ctx context.Context, env *experiment.Env) (*trained, error) {
	s, err := experiment.ForProfile(ID, ProfileSettings, env.Profile)
	if err != nil {
		return nil, err
	}
	tr, plan, err := train(ctx, env, s)
	if err != nil {
		return nil, err
	}
	name, err := bind(env, tr)
	if err != nil {
		return nil, err
	}
	return &trained{s: s, tr: tr, plan: plan, name: name}, nil
}

// Citations.
var (
	Survey = results.Citation{Key: "Survey", Title: "Application of Neural Network Models in Image Encryption and Differential Analysis",
		Ref: "Lyu, Lanzhou University, 2025, CC BY 4.0 (shared/papers/survey-four-nn-image-encryption-models.txt)"}
	Seed = results.Citation{Key: "Seed", Title: "Research on an optimised encryption algorithm (improved GAN adversarial neural cryptography)",
		Ref: "shared/papers/improved-gan-adversarial-neural-cryptography.txt (eq. (1): the GAN minimax objective)"}
	Goodfellow = results.Citation{Key: "Goodfellow", Title: "Generative Adversarial Nets", Ref: "NeurIPS 2014 (the non-saturating generator loss, §3)"}
	DeepEDN    = results.Citation{Key: "DeepEDN", Title: "DeepEDN: A Deep-Learning-Based Image Encryption and Decryption Network for Internet of Medical Things",
		Ref: "Ding et al., IEEE Internet of Things Journal 8(3), 2021 (a CycleGAN-based learned cipher: the family's public anchor)"}
)

type experimentImpl struct{}

// New returns the GAN cipher experiment.
func New() experiment.Experiment { return experimentImpl{} }

// ID implements experiment.Experiment.
func (experimentImpl) ID() string { return ID }

// Title implements experiment.Experiment.
func (experimentImpl) Title() string {
	return "The GAN cipher: direct ciphertext generation trained with GoMLX, measured and attacked"
}

// Papers implements experiment.Experiment.
func (experimentImpl) Papers() []results.Citation {
	return []results.Citation{Survey, Seed, Goodfellow, DeepEDN}
}

// TrainResult is the cached training unit: the curves, the weights file,
// the distinguishing test and timings.
type TrainResult struct {
	// Config is the training configuration.
	Config gannet.Config
	// History holds the training curves (gannet.Model.Train).
	History gannet.History
	// Weights is the trained model's weights file (gannet.Model.Weights).
	Weights []byte
	// Distinguish is the fresh discriminator's test of the final G.
	Distinguish gannet.DistinguishResult
	// TrainCrops and EvalCrops count the training crops an epoch visits
	// and the held-out evaluation crops.
	TrainCrops, EvalCrops int
	// StepsRun is the number of training steps the process that trained
	// made (fewer than Config.Steps after a resume).
	StepsRun int
	// Seconds is the unit's wall time; StepSeconds the mean wall time of
	// one training step made by the process that trained (the periodic
	// evaluations included). Both vary run to run: timing tables only.
	Seconds, StepSeconds float64
}

// unitParams key the training unit: what training and the distinguishing
// test depend on (not the battery's or the samples' sizes).
type unitParams struct {
	Crop, PerImage, MaxImages int
	DistSteps, DistRounds     int
	Config                    gannet.Config
}

// config is the training configuration of s.
func config(env *experiment.Env, s Settings) gannet.Config {
	c := gannet.DefaultConfig(s.Crop, s.Batch, s.Steps)
	c.Channels = s.Channels
	c.Seed = seeds.Sub(env.Seed, ID, "train")
	return c
}

// train returns the profile's trained model: the cached unit, or a fresh
// (checkpointed, resumable) training. It also returns the training plan.
func train(ctx context.Context, env *experiment.Env, s Settings) (TrainResult, *dataset.Plan, error) {
	plan, err := experiment.CropPlan(env, ID, s.Crop, s.PerImage, s.MaxImages)
	if err != nil {
		return TrainResult{}, nil, err
	}
	if env.Backend == nil {
		return TrainResult{}, nil, fmt.Errorf("%s: the environment has no GoMLX backend (set experiment.Env.Backend)", ID)
	}
	cfg := config(env, s)
	key := experiment.UnitKey{Experiment: ID, Unit: "train", Version: Version, Params: unitParams{Crop: s.Crop, PerImage: s.PerImage, MaxImages: s.MaxImages, DistSteps: s.DistSteps, DistRounds: s.DistRounds, Config: cfg},
		UsesBackend: true}
	tr, err := experiment.CheckpointedUnit(ctx, env, key, func(ctx context.Context, ckptDir string) (TrainResult, error) {
		return trainOne(ctx, env, s, cfg, plan, ckptDir)
	})
	if err != nil {
		return tr, nil, fmt.Errorf("%s: %w", ID, err)
	}
	return tr, plan, nil
}

func trainOne(ctx context.Context, env *experiment.Env, s Settings, cfg gannet.Config, plan *dataset.Plan, ckptDir string) (TrainResult, error) {
	start := time.Now()
	res := TrainResult{Config: cfg}
	be, err := env.Backend.New()
	if err != nil {
		return res, err
	}
	data, eval, err := experiment.TrainingData(ctx, plan, cfg.Batch, seeds.Sub(cfg.Seed, "shuffle"))
	if err != nil {
		return res, err
	}
	res.TrainCrops, res.EvalCrops = data.Crops(), len(eval)
	m, err := gannet.NewModel(be, cfg, data, eval)
	if err != nil {
		return res, err
	}
	defer m.Close()
	if ckptDir != "" {
		if err := m.SetCheckpoints(nnOptions(ckptDir, env)); err != nil {
			return res, err
		}
	}
	var h *gannet.History
	res.StepsRun, res.StepSeconds, err = experiment.TrainSteps(env, "gan training steps", cfg.Steps, func(onStep func(int)) error {
		var err error
		h, err = m.Train(ctx, func(step int, _ gannet.Losses) { onStep(step) })
		return err
	})
	if err != nil {
		return res, err
	}
	res.History = *h
	if res.Distinguish, err = m.DistinguishTest(ctx, gannet.DistinguishConfig{Steps: s.DistSteps,
		Rounds: s.DistRounds, Seed: seeds.Sub(cfg.Seed, "distinguish")}); err != nil {
		return res, err
	}
	if res.Weights, err = m.Weights(); err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// ModelDir is where a run's weights are stored: <work dir>/models when
// there is a work dir (so a run's models stay with its cache), else the
// user's model store (cipher.DefaultModelDir).
func ModelDir(env *experiment.Env) string {
	if env.WorkDir != "" {
		return filepath.Join(env.WorkDir, "models")
	}
	return cipher.DefaultModelDir()
}

// bind stores the trained weights and registers them as "gan/<profile>".
func bind(env *experiment.Env, tr TrainResult) (string, error) {
	s, err := cipher.BindWeights(ModelDir(env), gannet.FamilyName, string(env.Profile), tr.Weights)
	if err != nil {
		return "", fmt.Errorf("%s: %w", ID, err)
	}
	return s.Name(), nil
}
