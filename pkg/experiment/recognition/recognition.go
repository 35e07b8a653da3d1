// Package recognition is the experiment of the RITEM-CF-AN paper's
// recognition analysis (shared/papers/ritem-cf-an-chaotic-alexnet.txt,
// §3.2, §4, Figs 5–11): "AlexNet with a preprocessing module" (a fixed
// high-pass filter bank, batch normalisation, pooling before local
// response normalisation) against plain AlexNet, a CNN, an MLP, a vanilla
// RNN and an LSTM (pkg/models/recognet), trained on identical data,
// epochs and batch size.
//
// BOSSbase has no semantic labels; the paper's own framework (its Fig. 3)
// classifies samples as encrypted or not, or by the algorithm that
// encrypted them. The experiment builds three such tasks from the
// profile's crops (every class from the same source crops, split by
// source image): plain vs encrypted, which cipher (every registered
// scheme, with the paper-as-written bitplane-xor and the deliberately weak
// permutation-only control among them), and cover vs ±1 LSB-matching
// stego (the standard BOSSbase steganalysis task). Each model on each task
// is a cached, checkpointed unit.
package recognition

import (
	"context"
	"fmt"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/dataset"

	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/models/recognet"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// ID is the experiment's identifier.
const ID = "recognition"

// Version is this experiment's code version in cache keys.
const Version = "1"

// Citations.
var (
	RitemCFAN = results.Citation{Key: "RITEM-CF-AN", Title: "Real-time image text encryption model based on chaotic function and AlexNet neural network",
		Ref: "shared/papers/ritem-cf-an-chaotic-alexnet.txt"}
	Krizhevsky = results.Citation{Key: "AlexNet", Title: "ImageNet classification with deep convolutional neural networks",
		Ref: "Krizhevsky, Sutskever & Hinton, NIPS 2012 (LRN n = 5, k = 2, α = 1e-4, β = 0.75; overlapping 3×3/2 max-pooling)"}
	Qian = results.Citation{Key: "Qian", Title: "Deep learning for steganalysis via convolutional neural networks",
		Ref: "Qian, Dong, Wang & Tan, SPIE 2015 (the KV high-pass preprocessing layer)"}
	Fridrich = results.Citation{Key: "SRM", Title: "Rich models for steganalysis of digital images",
		Ref: "Fridrich & Kodovský, IEEE TIFS 7(3), 2012 (the SRM residual filters)"}
	Ker = results.Citation{Key: "Ker", Title: "Steganalysis of LSB matching in grayscale images",
		Ref: "Ker, IEEE Signal Processing Letters 12(6), 2005 (±1 embedding)"}
)

type experimentImpl struct{}

// New returns the recognition experiment.
func New() experiment.Experiment { return experimentImpl{} }

// ID implements experiment.Experiment.
func (experimentImpl) ID() string { return ID }

// Title implements experiment.Experiment.
func (experimentImpl) Title() string {
	return "Recognition: AlexNet with preprocessing vs AlexNet, CNN, MLP, RNN and LSTM on encrypted and stego crops (RITEM-CF-AN Figs 5–11)"
}

// Papers implements experiment.Experiment.
func (experimentImpl) Papers() []results.Citation {
	return []results.Citation{RitemCFAN, Krizhevsky, Qian, Fridrich, Ker}
}

// Outcome is every unit of a run, by task (in Tasks order) and model (in
// recognet.Archs order).
type Outcome struct {
	// Settings are the profile's sizes.
	Settings Settings
	// Tasks are the three tasks, in report order.
	Tasks []Task
	// Units[i][j] is model recognet.Archs[j] trained on Tasks[i].
	Units [][]UnitResult
	// TrainCrops and TestCrops count the plan's crops on each side.
	TrainCrops, TestCrops int
	// DataHash is the crop plan's content hash.
	DataHash string
}

// setup returns env's profile settings, crop plan and tasks.
func setup(env *experiment.Env) (Settings, *dataset.Plan, []Task, error) {
	s, err := experiment.ForProfile(ID, ProfileSettings, env.Profile)
	if err != nil {
		return s, nil, nil, err
	}
	plan, err := experiment.CropPlan(env, ID, s.Crop, s.PerImage, s.MaxImages)
	if err != nil {
		return s, nil, nil, err
	}
	if len(plan.TrainIDs) == 0 || len(plan.TestIDs) == 0 {
		return s, nil, nil, fmt.Errorf("%s: %d usable source image(s); the tasks need at least 2 (train and test are split by source image)",
			env.Data.Name(), plan.Images())
	}
	tasks, err := Tasks(seeds.Sub(env.Seed, ID, "tasks"), Ciphers(), plan.TestIDs)
	return s, plan, tasks, err
}

// Prepare returns what one training of the experiment starts from at env's
// profile and seed: the settings, and task taskID's training batches of
// batch samples (shuffled from shuffleSeed), test batches and fixed
// training-evaluation samples — the data the experiment's units train on.
func Prepare(ctx context.Context, env *experiment.Env, taskID string, batch int, shuffleSeed uint64) (s Settings, task Task, train, test *dataset.Batches, trainEval []dataset.Sample, err error) {
	s, plan, tasks, err := setup(env)
	if err != nil {
		return s, task, nil, nil, nil, err
	}
	var ids []string
	for _, t := range tasks {
		if t.ID == taskID {
			train, test, trainEval, err = taskData(ctx, plan, t, batch, s.TrainEval, shuffleSeed)
			return s, t, train, test, trainEval, err
		}
		ids = append(ids, t.ID)
	}
	return s, task, nil, nil, nil, fmt.Errorf("%s: unknown task %q (known: %s)", ID, taskID, strings.Join(ids, ", "))
}

// Train trains (or reads from the cache) every model on every task.
func Train(ctx context.Context, env *experiment.Env) (*Outcome, error) {
	s, plan, tasks, err := setup(env)
	if err != nil {
		return nil, err
	}
	hash, err := plan.Hash(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	out := &Outcome{Settings: s, Tasks: tasks, TrainCrops: len(plan.Train), TestCrops: len(plan.Test), DataHash: hash}
	var pending error // a sharded run's units left to other shards
	for _, t := range tasks {
		var row []UnitResult
		for _, a := range recognet.Archs {
			u, err := trainUnit(ctx, env, s, plan, t, a)
			if experiment.Pending(err) {
				pending = err // another shard's: go on with ours
				continue
			}
			if err != nil {
				return nil, err
			}
			row = append(row, u)
		}
		out.Units = append(out.Units, row)
	}
	if pending != nil {
		return nil, pending
	}
	return out, nil
}

// Run implements experiment.Experiment: train every model on every task,
// then assemble the curves, confusion matrices, tables and claims.
func (experimentImpl) Run(ctx context.Context, env *experiment.Env) (*results.Result, error) {
	o, err := Train(ctx, env)
	if err != nil {
		return nil, err
	}
	if o.TestCrops == 0 {
		return nil, fmt.Errorf("%s: %s gave no test crop", ID, env.Data.Name())
	}
	sp, err := runSpeed(ctx, env, o.Settings)
	if err != nil {
		return nil, err
	}
	res := assemble(o)
	if sp != nil {
		res.Tables = append(res.Tables, speedTable(sp))
	}
	return res, nil
}
