package gan

import (
	"context"
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/learned"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/survey"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// nnOptions are the training checkpoints of a unit directory.
func nnOptions(dir string, env *experiment.Env) nn.CheckpointOptions {
	return nn.CheckpointOptions{Dir: dir, Log: env.Log}
}

// WrongKeyBit is the secret bit flipped for the wrong key of the
// reconstruction table and the sample images.
const WrongKeyBit = 0

// Run implements experiment.Experiment: train (or read the cached model),
// bind it, run the survey's battery on it and on AES-CTR over the held-out
// images, measure right- and wrong-key reconstruction, and assemble.
func (experimentImpl) Run(ctx context.Context, env *experiment.Env) (*results.Result, error) {
	t, err := trainAndBind(ctx, env)
	if err != nil {
		return nil, err
	}
	s, tr, plan, name := t.s, t.tr, t.plan, t.name
	if len(plan.TestIDs) == 0 {
		return nil, fmt.Errorf("%s: %s gave no held-out test image", ID, env.Data.Name())
	}
	held, err := dataset.Subset(env.Data, plan.TestIDs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	mplan, err := dataset.NewPlan(held, dataset.CropConfig{Size: s.Measure.CropSize, PerImage: s.Measure.PerImage,
		Seed: seeds.Sub(env.Seed, ID, "measure crops")})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	ms, err := survey.MeasureCiphers(ctx, env, mplan, s.Measure, name, cipher.NameAESCTR)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	rec, err := learned.Reconstruct(ctx, mplan, name, seeds.Sub(env.Seed, ID, "key"), WrongKeyBit, s.Samples)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ID, err)
	}
	sp, err := runSpeed(ctx, env, s)
	if err != nil {
		return nil, err
	}
	res := assemble(env, s, tr, name, ms, rec)
	if sp != nil {
		res.Tables = append(res.Tables, speedTable(sp))
	}
	return res, nil
}

// perturbationClaim is the row of the family this experiment does not
// build.
func perturbationClaim() results.Claim {
	return results.Claim{Paper: "Survey §2.4 (family (1))", Statement: "GAN: adversarial-perturbation GANs (a generator adds a key-dependent perturbation to the image) encrypt images",
		PaperValue: math.NaN(), Measured: math.NaN(), Verdict: results.NotApplicable,
		Why: "Not built: only the survey's family (3), direct ciphertext generation, is implemented (the issue made family (1) optional within the budget). " +
			"The survey's Table 2 statements about GANs are judged on family (3) above and on the survey page."}
}
