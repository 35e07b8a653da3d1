package nbenv

import (
	"context"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/agile"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/models/agilenet"
	"github.com/neurocrypt/neurocrypt/pkg/nbdisplay"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// SmokeAgileSteps caps the steps of an interactive agile run at the smoke
// profile.
const SmokeAgileSteps = 20

// AgileBuilder configures one interactive agile cipher training; start it
// with TrainAgile and finish it with Done.
type AgileBuilder struct{ runOptions[AgileBuilder] }

// TrainAgile starts configuring an interactive agile cipher training with
// the agile experiment's settings at the current profile (quick: 32²
// crops, batch 16, width 8, 1000 steps, 256 training keys) and seed 1.
func TrainAgile() *AgileBuilder {
	b := &AgileBuilder{}
	b.self, b.lr, b.seed = b, agilenet.LearningRate, 1
	return b
}

// Done resolves the run against the current profile and validates it.
func (b *AgileBuilder) Done() (*AgileTraining, error) {
	p, err := Profile()
	if err != nil {
		return nil, err
	}
	s, err := experiment.ForProfile(agile.ID, agile.ProfileSettings, p)
	if err != nil {
		return nil, err
	}
	steps, batch, channels := b.resolve(p, s.Steps, s.Batch, s.Channels, SmokeAgileSteps)
	cfg := agilenet.DefaultConfig(s.Crop, batch, steps)
	cfg.Channels, cfg.KeyPool, cfg.LearningRate, cfg.Seed = channels, s.KeyPool, b.lr, b.seed
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &AgileTraining{Config: cfg, Profile: p, settings: s}, nil
}

// AgileTraining is a configured interactive agile training (TrainAgile).
type AgileTraining struct {
	// Config is the run's configuration.
	Config agilenet.Config
	// Profile is the profile it was resolved at.
	Profile experiment.Profile

	settings agile.Settings
}

// Run trains on the profile's training crops and keeps E's and D's weights
// under AgileKept for the later cells. In a notebook the cell shows a
// progress bar with the loss curves redrawn as they grow, and a held-out
// crop — plain, cipher in the three forms, decrypted, decrypted with a
// wrong key — redrawn SamplePoints times; elsewhere the bar goes to
// stderr. It returns the model.
func (t *AgileTraining) Run(ctx context.Context) (*agilenet.Model, error) {
	s := t.settings
	data, eval, be, err := cropData(ctx, agile.ID, s.Crop, s.PerImage, s.MaxImages, t.Config.Batch, t.Config.Seed)
	if err != nil {
		return nil, err
	}
	m, err := agilenet.NewModel(be, t.Config, data, eval)
	if err != nil {
		return nil, err
	}
	secret := []byte("notebook sample key")
	l := live{label: "agile cipher", steps: t.Config.Steps,
		points: func() int { return len(m.History().Step) },
		curves: func() results.Figure { return agile.Curves(m.History()) },
		samples: func(done int) (results.Figure, error) {
			return AgileSamples(m, eval[0], secret, fmt.Sprintf("after %d of %d steps", done, t.Config.Steps))
		}}
	if err := l.run(func(onStep func(int)) error {
		_, err := m.Train(ctx, func(step int, _ agilenet.Losses) { onStep(step) })
		return err
	}); err != nil {
		return nil, err
	}
	weights, err := m.Weights()
	if err != nil {
		return nil, err
	}
	if err := nbdisplay.Keep(AgileKept, weights); err != nil {
		return nil, err
	}
	return m, nil
}

// AgileKept is the name under which AgileTraining.Run keeps the trained E
// and D for the later cells of the kernel session (BindKeptAgile).
const AgileKept = "agile-interactive"

// BindKeptAgile registers the E and D an earlier cell trained in their
// three forms, "agile/<tag>", "agile-obf/<tag>", "agile-diff/<tag>"
// (agilenet.Posts order), storing the weights under the notebook's work
// dir (agile.ModelDir); it returns the scheme names.
func BindKeptAgile(tag string) ([]string, error) {
	weights, err := nbdisplay.Kept[[]byte](AgileKept)
	if err != nil {
		return nil, err
	}
	env, err := Env()
	if err != nil {
		return nil, err
	}
	return agile.Bind(env, tag, weights)
}

// AgileSamples is a figure of one crop, its cipher image under secret in
// the three forms, its decryption and its decryption with the secret's
// first bit flipped.
func AgileSamples(m *agilenet.Model, s dataset.Sample, secret []byte, when string) (results.Figure, error) {
	panels := []results.ImagePanel{nbdisplay.Image("plain", s.Image)}
	var plainForm cipher.Cipher
	var enc *imageio.Gray
	for _, p := range agilenet.Posts {
		c, err := m.Cipher(secret, p)
		if err != nil {
			return results.Figure{}, err
		}
		e, err := c.Encrypt(s.Image)
		if err != nil {
			return results.Figure{}, err
		}
		if p == agilenet.PostNone {
			plainForm, enc = c, e
		}
		panels = append(panels, nbdisplay.Image("cipher ("+p.String()+")", e))
	}
	dec, err := plainForm.Decrypt(enc)
	if err != nil {
		return results.Figure{}, err
	}
	wrongSecret := append([]byte(nil), secret...)
	wrongSecret[0] ^= 1
	w, err := m.Cipher(wrongSecret, agilenet.PostNone)
	if err != nil {
		return results.Figure{}, err
	}
	bad, err := w.Decrypt(enc)
	if err != nil {
		return results.Figure{}, err
	}
	panels = append(panels, nbdisplay.Image("decrypted", dec), nbdisplay.Image("wrong key", bad))
	return results.Figure{Name: "agile-samples", Kind: results.KindImages, Title: "Samples " + when, Images: panels}, nil
}
