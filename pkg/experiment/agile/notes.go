package agile

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/learned"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/survey"
	"github.com/neurocrypt/neurocrypt/pkg/models/agilenet"
)

func notes(env *experiment.Env, t *trained, tk TaskResult, rec *learned.Reconstruction, ms *survey.Measured) []string {
	s, tr := t.s, t.tr
	rep := ms.Report
	rp, _ := battery.MeanSD(rec.RightPSNR)
	rs, _ := battery.MeanSD(rec.RightSSIM)
	npcr := func(name string) float64 { return rep.Mean(name, battery.NPCR) }
	c := tr.Config
	dil := strings.Trim(fmt.Sprint(agilenet.Dilations), "[]")
	return []string{
		"The agile paper is an abstract: it names the building blocks (a chaotic map's pseudo-random integer sequence periodically expanded " +
			"into a binary key plane; multi-scale dilated convolutional encryption and decryption networks; a \"binary reduction\" loss; obfuscation " +
			"or diffusion post-processing; ciphertext-domain inference) and no sizes, data or numbers. Every choice below is ours, made with the " +
			"standard published form of each block, and every claim row's rule is ours.",
		fmt.Sprintf("Key plane (pkg/models/agilenet): the %d-bit secret's SHA-256 (domain-separated) keys %d logistic maps (r ∈ [%g, %g), "+
			"chaos.KeyedLogistics); the XOR of their keystream bytes gives a pseudo-random integer sequence of %d bytes, whose %d bits fill one "+
			"%d×%d tile row by row; the tile repeats over the image (period %d along both axes). The networks take the plane as an input, so a "+
			"new key needs no retraining: training draws each crop's key from a pool of %d secrets, and the agility table compares them with keys "+
			"never seen.", agilenet.SecretBits, agilenet.PlaneMaps, agilenet.PlaneRMin, agilenet.PlaneRMin+agilenet.PlaneRSpan, agilenet.SequenceLen,
			8*agilenet.SequenceLen, agilenet.PlanePeriod, agilenet.PlanePeriod, agilenet.PlanePeriod, c.KeyPool),
		fmt.Sprintf("Networks: E(x, k) and D(c, k) share one shape — image and key plane centred and concatenated, %d multi-scale blocks (%d "+
			"parallel 3×3 convolutions with dilations %s, each to width/4 channels, concatenated, leaky ReLU; Yu & Koltun's dilation set) of width "+
			"%d, a 1×1 convolution. E ends in a sigmoid and rounds to 8 bits (straight-through gradient); D's output is the logit of the grey "+
			"value. Receptive field %d×%d. Stride-1 convolutions only, so both train on every backend.",
			agilenet.Blocks, len(agilenet.Dilations), dil, c.Channels, agilenet.ReceptiveField, agilenet.ReceptiveField),
		fmt.Sprintf("Loss: %g·rec + %g·hist + %g·corr + %g·wrong. rec is the binary reduction: the plain grey image x ∈ [0, 1] is read as the "+
			"per-pixel probabilities of a binary image and D's logits l as a Bernoulli model of it; their cross-entropy softplus(l) − x·l is "+
			"differentiable and minimal exactly at σ(l) = x. hist is the squared distance of each cipher image's soft %d-bin histogram from flat; "+
			"corr the squared Pearson correlation of neighbours in four directions (horizontal, vertical, both diagonals: with only the first "+
			"two, a trained cipher moved its structure to the diagonal, as we saw while building it); wrong the hinge max(0, %g − |σ(D(c, k′)) − x|) for "+
			"another key's plane k′ (ours, as in the GAN cipher: without it D could learn to ignore the key — the ablation table measures it). "+
			"One Adam (learning rate %g, β = (%g, %g)) over E and D, batch %d, %d steps.",
			c.RecWeight, c.HistWeight, c.CorrWeight, c.WrongWeight, agilenet.HistBins, agilenet.WrongMargin, c.LearningRate, agilenet.Beta1, agilenet.Beta2,
			c.Batch, c.Steps),
		"Post-processing (exact, keyed by the secret through chaotic maps independent of the key plane's): obfuscation permutes the cipher " +
			"pixels (a Fisher–Yates shuffle drawn from the chaotic keystream, one per image size); diffusion chains an XOR with the keystream " +
			"through the pixels in raster order (c′[k] = c[k] ⊕ s[k] ⊕ c′[k−1]), so a change reaches every later pixel but no earlier one. The " +
			"three forms are registered as separate ciphers and measured side by side; the decryption is the same for all three.",
		fmt.Sprintf("Where this cipher is weaker than the chaotic ciphers and AES, in numbers from this page. Exactness: decryption is lossy — "+
			"%.1f dB PSNR and SSIM %.2f on the held-out crops (reconstruction table), where every chaotic cipher and AES round-trips exactly "+
			"(the security table's last column). Diffusion: without post-processing one plain pixel changes at most a %d×%d block of the cipher "+
			"image — NPCR %.2f %% for a one-pixel change, against %.2f %% for the chaotic-NN cipher; obfuscation only moves pixels (NPCR %.2f %%); "+
			"chained-XOR diffusion reaches %.1f %%, because a change spreads forward in raster order only. Key reuse: the key plane repeats every "+
			"%d pixels and is the same for every image under one key, as are the obfuscation permutation and the diffusion keystream (there "+
			"is no nonce: two images under one key share all the key material). Key space: a %d-bit secret (the aspect table compares it with "+
			"the chaotic-NN cipher's). AES-CTR, a stream cipher, fails the one-pixel differential test by design (NPCR %.3f %%): it is the "+
			"baseline of the statistical rows, not of that one.",
			rp, rs, agilenet.ReceptiveField, agilenet.ReceptiveField, npcr(t.names[0]), npcr(cipher.NameHopfield), npcr(t.names[1]), npcr(t.names[2]),
			agilenet.PlanePeriod, agilenet.SecretBits, npcr(cipher.NameAESCTR)),
		fmt.Sprintf("Inference on cipher images (the abstract's third part): a shapes task (dataset.NewShapes: an ellipse, a rectangle or a "+
			"triangle on a textured background, with its mask) of %d² images, %d for training and %d for testing. The task networks (a small "+
			"CNN classifier; a segmenter of two multi-scale blocks) train on plain images; the authorised user runs them composed with D under "+
			"the right key — the abstract does not say how its ciphertext-domain DNN is built, and composing with D is the simplest such DNN, "+
			"so the ciphertext-domain model is never better than decrypting first; a second pair of task networks is trained on the "+
			"authorised user's decryptions, to absorb D's losses; an unauthorised user has the same networks and a wrong key. "+
			"The agile model never saw shapes images: D's decryption of them (the input PSNR column) is out of its training distribution. "+
			"The honest upper anchor is block-wise learnable encryption, which keeps classification accuracy with ViT-style models (Kiya et al. "+
			"report no drop); ours, the better of the two authorised networks, scores %.3f against %.3f on plain images (a drop of %.1f points) "+
			"and a Dice of %.3f against %.3f.", s.Task.Side, tk.TrainImages, tk.TestImages,
			bestOf(tk.Classify, accuracy, SettingAuthorised, SettingAuthorisedTrained), bestOf(tk.Classify, accuracy, SettingPlain),
			100*(bestOf(tk.Classify, accuracy, SettingPlain)-bestOf(tk.Classify, accuracy, SettingAuthorised, SettingAuthorisedTrained)),
			bestOf(tk.Segment, dice, SettingAuthorised, SettingAuthorisedTrained), bestOf(tk.Segment, dice, SettingPlain)),
		fmt.Sprintf("Data: %d training crops of %d² (the training images of %s) and %d held-out crops for the agility table, key curve and "+
			"ablations; the battery, the reconstruction table and the samples use %d² crops (%d per image) of the held-out images only. The "+
			"battery measures the three forms beside AES-CTR and the chaotic-NN cipher (hopfield), so the survey's convolutional-NN rows that "+
			"compare with chaotic NNs are judged here too; the survey page judges them on all its ciphers.", tr.TrainCrops, c.Crop, env.Data.Name(),
			tr.EvalCrops, s.Measure.CropSize, s.Measure.PerImage),
		fmt.Sprintf("The trained model's weights file (E and D) has SHA-256 %s; the run stores it under the work dir's models/. Profiles: %s. "+
			"Training units are cached and checkpointed (every %d steps; a killed run resumes, bit-identical on the go backend). On one backend a "+
			"seed gives the same numbers and `reproduce -check` compares them exactly (the committed references are made on the go backend); "+
			"the trained-model tables also state tolerances for a check on another backend.", learned.WeightsSHA(tr.Weights), profiles(),
			agilenet.CheckpointEvery),
	}
}

// profiles describes ProfileSettings in one phrase.
func profiles() string {
	var out []string
	for _, p := range experiment.Profiles {
		st := ProfileSettings[p]
		out = append(out, fmt.Sprintf("%s: %d² training crops (%d per image), batch %d, %d steps, width %d, %d training keys, ablations %v, "+
			"shapes %d² × %d (%d steps), battery on %d² crops", p, st.Crop, st.PerImage, st.Batch, st.Steps, st.Channels, st.KeyPool, st.Ablations,
			st.Task.Side, st.Task.Images, st.Task.Steps, st.Measure.CropSize))
	}
	return strings.Join(out, "; ")
}

func accuracy(r TaskRow) float64 { return r.Accuracy }
func dice(r TaskRow) float64     { return r.Dice }

// bestOf is the best value of get over the rows of the given settings
// (NaN if none).
func bestOf(rows []TaskRow, get func(TaskRow) float64, settings ...string) float64 {
	b := math.NaN()
	for _, r := range rows {
		if slices.Contains(settings, r.Setting) && !(get(r) <= b) {
			b = get(r)
		}
	}
	return b
}
