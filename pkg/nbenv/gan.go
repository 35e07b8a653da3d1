package nbenv

import (
	"context"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/gan"
	"github.com/neurocrypt/neurocrypt/pkg/models/gannet"
	"github.com/neurocrypt/neurocrypt/pkg/nbdisplay"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// SmokeGANSteps caps the steps of an interactive GAN run at the smoke
// profile (a headless `kernel run -profile smoke` trains for seconds).
const SmokeGANSteps = 20

// GANBuilder configures one interactive GAN cipher training; start it with
// TrainGAN and finish it with Done.
type GANBuilder struct{ runOptions[GANBuilder] }

// TrainGAN starts configuring an interactive GAN cipher training with the
// gan experiment's settings at the current profile (crop size, batch,
// width, steps; quick: 32² crops, batch 16, width 16, 600 steps) and seed 1.
func TrainGAN() *GANBuilder {
	b := &GANBuilder{}
	b.self, b.lr, b.seed = b, gannet.LearningRate, 1
	return b
}

// Done resolves the run against the current profile and validates it.
func (b *GANBuilder) Done() (*GANTraining, error) {
	p, err := Profile()
	if err != nil {
		return nil, err
	}
	s, err := experiment.ForProfile(gan.ID, gan.ProfileSettings, p)
	if err != nil {
		return nil, err
	}
	steps, batch, channels := b.resolve(p, s.Steps, s.Batch, s.Channels, SmokeGANSteps)
	cfg := gannet.DefaultConfig(s.Crop, batch, steps)
	cfg.Channels, cfg.LearningRate, cfg.Seed = channels, b.lr, b.seed
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &GANTraining{Config: cfg, Profile: p, settings: s}, nil
}

// GANTraining is a configured interactive GAN training (TrainGAN).
type GANTraining struct {
	// Config is the run's configuration.
	Config gannet.Config
	// Profile is the profile it was resolved at.
	Profile experiment.Profile

	settings gan.Settings
}

// Run trains on the profile's training crops and keeps G's and R's
// weights under GANKept for the later cells. In a notebook the cell shows
// a progress bar with the training curves (gan.Curves) redrawn as they
// grow, and a row of sample images — a held-out crop, its cipher image and
// its decryption under a fixed key — redrawn SamplePoints times as
// training goes; elsewhere the bar goes to stderr. It returns the model.
func (t *GANTraining) Run(ctx context.Context) (*gannet.Model, error) {
	s := t.settings
	data, eval, be, err := cropData(ctx, gan.ID, s.Crop, s.PerImage, s.MaxImages, t.Config.Batch, t.Config.Seed)
	if err != nil {
		return nil, err
	}
	m, err := gannet.NewModel(be, t.Config, data, eval)
	if err != nil {
		return nil, err
	}
	secret := []byte("notebook sample key")
	l := live{label: "GAN cipher", steps: t.Config.Steps,
		points: func() int { return len(m.History().Step) },
		curves: func() results.Figure { return gan.Curves(m.History())[0] },
		samples: func(done int) (results.Figure, error) {
			return GANSamples(m, eval[0], secret, fmt.Sprintf("after %d of %d steps", done, t.Config.Steps))
		}}
	if err := l.run(func(onStep func(int)) error {
		_, err := m.Train(ctx, func(step int, _ gannet.Losses) { onStep(step) })
		return err
	}); err != nil {
		return nil, err
	}
	weights, err := m.Weights()
	if err != nil {
		return nil, err
	}
	if err := nbdisplay.Keep(GANKept, weights); err != nil {
		return nil, err
	}
	return m, nil
}

// GANKept is the name under which GANTraining.Run keeps the trained G and
// R for the later cells of the kernel session (BindKeptGAN).
const GANKept = "gan-interactive"

// BindKeptGAN registers the G and R an earlier cell trained (GANTraining.Run)
// as the cipher scheme "gan/<tag>", storing the weights where the gan
// experiment stores its own (gan.ModelDir: under the notebook's work dir).
func BindKeptGAN(tag string) (cipher.Scheme, error) {
	weights, err := nbdisplay.Kept[[]byte](GANKept)
	if err != nil {
		return nil, err
	}
	env, err := Env()
	if err != nil {
		return nil, err
	}
	return cipher.BindWeights(gan.ModelDir(env), gannet.FamilyName, tag, weights)
}

// GANSamples is a figure of one crop, its cipher image under secret, its
// decryption and its decryption with the secret's first bit flipped.
func GANSamples(m *gannet.Model, s dataset.Sample, secret []byte, when string) (results.Figure, error) {
	c, err := m.Cipher(secret)
	if err != nil {
		return results.Figure{}, err
	}
	wrongSecret := append([]byte(nil), secret...)
	wrongSecret[0] ^= 1
	w, err := m.Cipher(wrongSecret)
	if err != nil {
		return results.Figure{}, err
	}
	enc, err := c.Encrypt(s.Image)
	if err != nil {
		return results.Figure{}, err
	}
	dec, err := c.Decrypt(enc)
	if err != nil {
		return results.Figure{}, err
	}
	bad, err := w.Decrypt(enc)
	if err != nil {
		return results.Figure{}, err
	}
	return results.Figure{Name: "gan-samples", Kind: results.KindImages, Title: "Samples " + when,
		Images: []results.ImagePanel{nbdisplay.Image("plain", s.Image), nbdisplay.Image("cipher", enc),
			nbdisplay.Image("decrypted", dec), nbdisplay.Image("wrong key", bad)}}, nil
}
