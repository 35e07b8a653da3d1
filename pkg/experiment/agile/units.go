package agile

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/models/agilenet"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// Terms are the loss terms an ablation drops, by name: the binary
// reduction is replaced by the L1 error (decryption needs some
// reconstruction term), the others are dropped.
var Terms = []string{"binary reduction", "histogram", "correlation", "wrong key"}

// withoutTerm is cfg with the named term's weight 0 (the binary
// reduction: replaced by L1).
func withoutTerm(cfg agilenet.Config, term string) agilenet.Config {
	switch term {
	case "binary reduction":
		cfg.L1Rec = true
	case "histogram":
		cfg.HistWeight = 0
	case "correlation":
		cfg.CorrWeight = 0
	case "wrong key":
		cfg.WrongWeight = 0
	}
	return cfg
}

// TrainResult is a cached training unit: the curves, the weights file,
// the model's evaluation on the held-out crops and timings.
type TrainResult struct {
	// Config is the training configuration.
	Config agilenet.Config
	// History holds the training curves.
	History agilenet.History
	// Weights is the trained model's weights file (main model only).
	Weights []byte
	// Eval is the model on the held-out crops (every unit); KeyCurve the
	// key-plane sensitivity curve (main model only).
	Eval     ModelEval
	KeyCurve []CurvePoint
	// TrainCrops and EvalCrops count the training crops an epoch visits
	// and the held-out evaluation crops.
	TrainCrops, EvalCrops int
	// StepsRun is the number of steps the process that trained made;
	// Seconds the unit's wall time, StepSeconds a step's mean (timing
	// tables only).
	StepsRun             int
	Seconds, StepSeconds float64
}

// KeyRow is one row of the agility table: decryptions of the held-out
// crops under one kind of key.
type KeyRow struct {
	// Label is the row's name (RowTrainKeys, …); Keys the number of keys
	// the crops cycle through.
	Label string
	Keys  int
	// PSNR (dB) and SSIM of each crop's decryption against the crop.
	PSNR, SSIM []float64
}

// ModelEval is a trained model on the held-out crops: the agility rows
// (training keys, unseen keys, a one-bit-wrong key, no decryption) and
// the cipher images' statistics under the unseen keys.
type ModelEval struct {
	Rows []KeyRow
	// Entropy is the cipher images' mean entropy (bits per pixel);
	// MaxCorr the largest |mean adjacent correlation| over the three
	// directions.
	Entropy, MaxCorr float64
}

// Row returns the row labelled label (nil if none).
func (e ModelEval) Row(label string) *KeyRow {
	for i := range e.Rows {
		if e.Rows[i].Label == label {
			return &e.Rows[i]
		}
	}
	return nil
}

// Agility table rows.
const (
	RowTrainKeys  = "training keys"
	RowUnseenKeys = "unseen keys"
	RowWrongKey   = "wrong key (secret bit " + wrongBitText + " flipped)"
	RowCipher     = "no decryption (cipher image)"
)

// CurvePoint is one point of the key-plane sensitivity curve: the
// decryption of the held-out crops' cipher images with Flipped bits of
// the key plane's tile flipped (in every period).
type CurvePoint struct {
	// Flipped is the number of tile bits flipped, of Visible, the tile
	// bits the crops show (PlanePeriod² when crops are a period wide).
	Flipped, Visible int
	// PSNR (dB) and SSIM of the decryptions, means over crops.
	PSNR, SSIM float64
}

// PlaneFlips are the numbers of tile bits flipped on the curve (of
// agilenet.PlanePeriod² = 1024).
var PlaneFlips = []int{0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512}

// unitParams key a training unit.
type unitParams struct {
	Crop, PerImage, MaxImages, EvalKeys int
	Main                                bool
	Config                              agilenet.Config
}

// config is the main training configuration of s.
func config(env *experiment.Env, s Settings) agilenet.Config {
	c := agilenet.DefaultConfig(s.Crop, s.Batch, s.Steps)
	c.Channels, c.KeyPool = s.Channels, s.KeyPool
	c.Seed = seeds.Sub(env.Seed, ID, "train")
	return c
}

// trainUnit returns the training unit of cfg (main: the profile's model,
// with its weights and key-plane curve; else an ablation): cached, or a
// fresh checkpointed training.
func trainUnit(ctx context.Context, env *experiment.Env, s Settings, plan *dataset.Plan, cfg agilenet.Config, main bool, label string) (TrainResult, error) {
	if env.Backend == nil {
		return TrainResult{}, fmt.Errorf("%s: the environment has no GoMLX backend (set experiment.Env.Backend)", ID)
	}
	unit := "train"
	if !main {
		unit = "ablation"
	}
	key := experiment.UnitKey{Experiment: ID, Unit: unit, Version: Version, UsesBackend: true,
		Params: unitParams{Crop: s.Crop, PerImage: s.PerImage, MaxImages: s.MaxImages, EvalKeys: s.EvalKeys, Main: main, Config: cfg}}
	tr, err := experiment.CheckpointedUnit(ctx, env, key, func(ctx context.Context, ckptDir string) (TrainResult, error) {
		return trainOne(ctx, env, s, cfg, plan, ckptDir, main, label)
	})
	if err != nil {
		return tr, fmt.Errorf("%s: %w", ID, err)
	}
	return tr, nil
}

func trainOne(ctx context.Context, env *experiment.Env, s Settings, cfg agilenet.Config, plan *dataset.Plan, ckptDir string, main bool, label string) (TrainResult, error) {
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
	m, err := agilenet.NewModel(be, cfg, data, eval)
	if err != nil {
		return res, err
	}
	defer m.Close()
	if ckptDir != "" {
		if err := m.SetCheckpoints(nn.CheckpointOptions{Dir: ckptDir, Log: env.Log}); err != nil {
			return res, err
		}
	}
	var h *agilenet.History
	res.StepsRun, res.StepSeconds, err = experiment.TrainSteps(env, label, cfg.Steps, func(onStep func(int)) error {
		var err error
		h, err = m.Train(ctx, func(step int, _ agilenet.Losses) { onStep(step) })
		return err
	})
	if err != nil {
		return res, err
	}
	res.History = *h
	if res.Eval, err = evaluate(m, cfg, eval, s.EvalKeys, seeds.Sub(cfg.Seed, "evaluation keys")); err != nil {
		return res, err
	}
	if main {
		if res.KeyCurve, err = keyCurve(m, eval, s.EvalKeys, seeds.Sub(cfg.Seed, "key curve")); err != nil {
			return res, err
		}
		if res.Weights, err = m.Weights(); err != nil {
			return res, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// secrets draws n secrets of agilenet.SecretBits from seed: keys no
// training drew (training keys come from the pool's own derivation).
func secrets(n int, seed uint64) [][]byte {
	rng := seeds.SplitMix{State: seed}
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, agilenet.SecretBits/8)
		for j := range out[i] {
			out[i][j] = byte(rng.Uint64())
		}
	}
	return out
}

// evaluate decrypts the held-out crops (crop i under key i mod nKeys)
// with training keys (pool keys 0 … nKeys−1; none without a pool), unseen
// keys, the unseen keys with secret bit 0 flipped, and not at all.
func evaluate(m *agilenet.Model, cfg agilenet.Config, eval []dataset.Sample, nKeys int, seed uint64) (ModelEval, error) {
	unseen := secrets(nKeys, seed)
	var train [][]byte
	for i := 0; i < min(nKeys, cfg.KeyPool); i++ {
		train = append(train, agilenet.TrainSecret(cfg, i))
	}
	var out ModelEval
	var corr [3]float64 // mean horizontal, vertical, diagonal correlations
	quality := func(label string, keys [][]byte, decryptWith func(k []byte) []byte, decrypt bool) error {
		if len(keys) == 0 {
			return nil
		}
		row := KeyRow{Label: label, Keys: len(keys)}
		for i, s := range eval {
			k := keys[i%len(keys)]
			c, err := m.Cipher(k, agilenet.PostNone)
			if err != nil {
				return err
			}
			enc, err := c.Encrypt(s.Image)
			if err != nil {
				return err
			}
			img := enc
			if decrypt {
				d, err := m.Cipher(decryptWith(k), agilenet.PostNone)
				if err != nil {
					return err
				}
				if img, err = d.Decrypt(enc); err != nil {
					return err
				}
			}
			if err := addQuality(&row, s.Image, img); err != nil {
				return err
			}
			if label == RowCipher {
				e, err := metrics.Entropy(enc)
				if err != nil {
					return err
				}
				cs, err := metrics.Correlations(enc)
				if err != nil {
					return err
				}
				out.Entropy += e / float64(len(eval))
				corr[0], corr[1], corr[2] = corr[0]+cs.H/float64(len(eval)), corr[1]+cs.V/float64(len(eval)), corr[2]+cs.D/float64(len(eval))
			}
		}
		out.Rows = append(out.Rows, row)
		return nil
	}
	same := func(k []byte) []byte { return k }
	flipped := func(k []byte) []byte {
		w := slices.Clone(k)
		w[WrongKeyBit/8] ^= 1 << (WrongKeyBit % 8)
		return w
	}
	for _, r := range []struct {
		label   string
		keys    [][]byte
		with    func([]byte) []byte
		decrypt bool
	}{{RowTrainKeys, train, same, true}, {RowUnseenKeys, unseen, same, true}, {RowWrongKey, unseen, flipped, true}, {RowCipher, unseen, nil, false}} {
		if err := quality(r.label, r.keys, r.with, r.decrypt); err != nil {
			return out, err
		}
	}
	out.MaxCorr = math.Max(math.Abs(corr[0]), math.Max(math.Abs(corr[1]), math.Abs(corr[2])))
	return out, nil
}

// addQuality appends the PSNR and SSIM of img against plain to row.
func addQuality(row *KeyRow, plain, img *imageio.Gray) error {
	p, err := metrics.PSNR(plain, img)
	if err != nil {
		return err
	}
	q, err := metrics.SSIM(plain, img)
	if err != nil {
		return err
	}
	row.PSNR, row.SSIM = append(row.PSNR, p), append(row.SSIM, q)
	return nil
}

// keyCurve decrypts the held-out crops' cipher images (crop i under
// unseen key i mod nKeys) with the right key plane in which f tile bits
// are flipped (the first f of a seeded random order of the tile bits a
// crop shows: all PlanePeriod² when crops are at least a period wide),
// for every f of PlaneFlips up to the visible bits.
func keyCurve(m *agilenet.Model, eval []dataset.Sample, nKeys int, seed uint64) ([]CurvePoint, error) {
	keys := secrets(nKeys, seeds.Sub(seed, "keys"))
	rng := seeds.SplitMix{State: seeds.Sub(seed, "order")}
	const P = agilenet.PlanePeriod
	h, w := P, P
	for _, s := range eval {
		h, w = min(h, s.Image.Height), min(w, s.Image.Width)
	}
	var order []int // visible tile bits
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			order = append(order, y*P+x)
		}
	}
	shuffled := make([]int, len(order))
	for k, i := range rng.Perm(len(order)) {
		shuffled[k] = order[i]
	}
	order = shuffled
	var out []CurvePoint
	for _, f := range PlaneFlips {
		if f > len(order) {
			break
		}
		flip := map[int]bool{}
		for _, b := range order[:f] {
			flip[b] = true
		}
		row := KeyRow{}
		for i, s := range eval {
			g := s.Image
			plane, err := agilenet.KeyPlane(keys[i%len(keys)], g.Height, g.Width)
			if err != nil {
				return nil, err
			}
			enc, err := m.EncryptPlane(g, plane)
			if err != nil {
				return nil, err
			}
			for y := 0; y < g.Height; y++ {
				for x := 0; x < g.Width; x++ {
					if flip[(y%P)*P+x%P] {
						plane[y*g.Width+x] = 1 - plane[y*g.Width+x]
					}
				}
			}
			dec, err := m.DecryptPlane(enc, plane)
			if err != nil {
				return nil, err
			}
			if err := addQuality(&row, g, dec); err != nil {
				return nil, err
			}
		}
		p := CurvePoint{Flipped: f, Visible: len(order)}
		p.PSNR, _ = battery.MeanSD(row.PSNR)
		p.SSIM, _ = battery.MeanSD(row.SSIM)
		out = append(out, p)
	}
	return out, nil
}

// TaskRow is one setting of an inference task: what the task network
// reads, its accuracy (classification) or mean Dice (segmentation), and
// the PSNR of the images it reads against the plain ones.
type TaskRow struct {
	Setting           string
	Accuracy, Dice    float64
	InputPSNR         float64
	Correct, Examples int
}

// TaskResult is the cached inference unit.
type TaskResult struct {
	Classify, Segment []TaskRow
	// TrainImages and TestImages count the shapes images on each side.
	TrainImages, TestImages int
	Seconds                 float64
}

// Inference settings, in table order: the task network trained on plain
// images, then the one trained on the authorised user's decryptions.
const (
	SettingPlain               = "plain images (ceiling)"
	SettingAuthorised          = "cipher images, authorised key: task ∘ D"
	SettingUnauthorised        = "cipher images, wrong key: task ∘ D"
	SettingCipher              = "cipher images read directly (no key)"
	SettingAuthorisedTrained   = "cipher images, authorised key: task trained on D's outputs ∘ D"
	SettingUnauthorisedTrained = "cipher images, wrong key: task trained on D's outputs ∘ D"
)

type taskParams struct {
	Task    TaskSettings
	Weights string // SHA-256 of the cipher's weights file
	Cipher  string
	Seed    uint64
}

// taskRow runs tm on inputs (the test images as one setting gives them)
// and scores it against the test samples' labels or masks.
func taskRow(tm *agilenet.TaskModel, task agilenet.Task, setting string, inputs []*imageio.Gray, test []dataset.Sample, psnr float64) (TaskRow, error) {
	row := TaskRow{Setting: setting, InputPSNR: psnr, Examples: len(test), Accuracy: math.NaN(), Dice: math.NaN()}
	classes, masks, err := tm.Predict(inputs)
	if err != nil {
		return row, err
	}
	if task == agilenet.Classify {
		for j, c := range classes {
			if c == test[j].Label {
				row.Correct++
			}
		}
		row.Accuracy = float64(row.Correct) / float64(len(test))
		return row, nil
	}
	row.Dice = 0
	for j, m := range masks {
		d, err := agilenet.Dice(test[j].Mask, m)
		if err != nil {
			return row, err
		}
		row.Dice += d / float64(len(test))
	}
	return row, nil
}

// runTasks trains the classifier and the segmenter on plain shapes images
// and applies them to the test images in the four settings, and trains
// them again on the authorised user's decryptions of the training images
// and applies those to the two settings through D — under the cipher name
// (the trained model, no post-processing), one key; one cached unit.
func runTasks(ctx context.Context, env *experiment.Env, s Settings, name, weightsSHA string) (TaskResult, error) {
	ts := s.Task
	p := taskParams{Task: ts, Weights: weightsSHA, Cipher: name, Seed: seeds.Sub(env.Seed, ID, "tasks")}
	key := experiment.UnitKey{Experiment: ID, Unit: "tasks", Version: Version, UsesBackend: true, Params: p}
	res, err := experiment.RunUnit(ctx, env, key, func(ctx context.Context) (TaskResult, error) {
		return tasks(ctx, env, ts, name, p.Seed)
	})
	if err != nil {
		return res, fmt.Errorf("%s: tasks: %w", ID, err)
	}
	return res, nil
}

func tasks(ctx context.Context, env *experiment.Env, ts TaskSettings, name string, seed uint64) (TaskResult, error) {
	start := time.Now()
	var res TaskResult
	src, err := dataset.NewShapes(seeds.Sub(seed, "shapes"), ts.Images, ts.Side)
	if err != nil {
		return res, err
	}
	plan, err := dataset.NewPlan(src, dataset.CropConfig{Size: ts.Side, PerImage: 1, TestFraction: experiment.TestFraction, Seed: seeds.Sub(seed, "split")})
	if err != nil {
		return res, err
	}
	labels, err := plan.SourceLabels()
	if err != nil {
		return res, err
	}
	test, err := experiment.Samples(ctx, plan, dataset.Test, labels)
	if err != nil {
		return res, err
	}
	res.TrainImages, res.TestImages = plan.Len(dataset.Train), len(test)
	// The four inputs of every test image.
	sch, err := cipher.Lookup(name)
	if err != nil {
		return res, err
	}
	k := sch.GenerateKey(seeds.Sub(seed, "key"))
	right, err := sch.New(k)
	if err != nil {
		return res, err
	}
	wrong, err := sch.New(k.FlipBit(0))
	if err != nil {
		return res, err
	}
	settings := []string{SettingPlain, SettingAuthorised, SettingUnauthorised, SettingCipher}
	inputs := make([][]*imageio.Gray, len(settings))
	psnr := make([]float64, len(settings))
	for _, t := range test {
		enc, err := right.Encrypt(t.Image)
		if err != nil {
			return res, err
		}
		auth, err := right.Decrypt(enc)
		if err != nil {
			return res, err
		}
		unauth, err := wrong.Decrypt(enc)
		if err != nil {
			return res, err
		}
		for i, img := range []*imageio.Gray{t.Image, auth, unauth, enc} {
			inputs[i] = append(inputs[i], img)
			if i > 0 {
				p, err := metrics.PSNR(t.Image, img)
				if err != nil {
					return res, err
				}
				psnr[i] += p / float64(len(test))
			}
		}
	}
	psnr[0] = math.Inf(1)
	be, err := env.Backend.New()
	if err != nil {
		return res, err
	}
	// The authorised user's training data: each training image's cipher
	// image under the key, decrypted (labels and masks kept).
	decrypted := func(c dataset.Crop) ([]dataset.Sample, error) {
		out, err := labels(c)
		if err != nil {
			return nil, err
		}
		for i := range out {
			enc, err := right.Encrypt(out[i].Image)
			if err != nil {
				return nil, err
			}
			if out[i].Image, err = right.Decrypt(enc); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for _, task := range []agilenet.Task{agilenet.Classify, agilenet.Segment} {
		for _, variant := range []struct {
			train    dataset.Labeler
			label    string
			settings []int // indexes into settings/inputs
			names    []string
		}{{labels, "", []int{0, 1, 2, 3}, settings},
			{decrypted, " (on decryptions)", []int{1, 2}, []string{SettingAuthorisedTrained, SettingUnauthorisedTrained}}} {
			data, err := plan.Batches(dataset.Train, ts.Batch).Labels(variant.train).Shuffle(seeds.Sub(seed, "shuffle", int(task))).DropLast().Done()
			if err != nil {
				return res, err
			}
			cfg := agilenet.TaskConfig{Task: task, Crop: ts.Side, Classes: dataset.ShapeClasses, Batch: ts.Batch, Steps: ts.Steps,
				Channels: ts.Channels, LearningRate: agilenet.LearningRate, Seed: seeds.Sub(seed, "init", int(task))}
			tm, err := agilenet.NewTaskModel(be, cfg, data)
			if err != nil {
				return res, err
			}
			err = func() error {
				defer tm.Close()
				if _, _, err := experiment.TrainSteps(env, "agile "+task.String()+variant.label+" steps", ts.Steps, func(onStep func(int)) error {
					return tm.Train(ctx, func(step int, _ float64) { onStep(step) })
				}); err != nil {
					return err
				}
				for k, i := range variant.settings {
					row, err := taskRow(tm, task, variant.names[k], inputs[i], test, psnr[i])
					if err != nil {
						return err
					}
					if task == agilenet.Classify {
						res.Classify = append(res.Classify, row)
					} else {
						res.Segment = append(res.Segment, row)
					}
				}
				return nil
			}()
			if err != nil {
				return res, err
			}
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}
