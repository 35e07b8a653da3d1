package agile

import (
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/survey"
)

// Settings are the sizes of one profile.
type Settings struct {
	// Crop, PerImage and MaxImages make the training plan: crops of
	// Crop², PerImage per source image, from MaxImages images (0: all),
	// split by source image (experiment.CropPlan).
	Crop, PerImage, MaxImages int
	// Batch, Steps and Channels: the minibatch, the training steps and the
	// width of a multi-scale block; KeyPool the number of training keys.
	Batch, Steps, Channels, KeyPool int
	// Ablations trains one model per droppable loss term (its weight 0),
	// with the same settings.
	Ablations bool
	// EvalKeys is the number of keys of each row of the agility table.
	EvalKeys int
	// Task sizes the ciphertext-domain inference tasks.
	Task TaskSettings
	// Measure sizes the security battery, run on crops of the held-out
	// test images only (the survey's settings; KnownPairs unused).
	Measure survey.Settings
	// SpeedSteps is the number of timed steps of the speed comparison
	// (0: none).
	SpeedSteps int
	// Samples is the number of crops shown as sample images.
	Samples int
}

// TaskSettings size the shapes tasks (dataset.NewShapes).
type TaskSettings struct {
	// Side is the images' side in pixels (a multiple of 4); Images their
	// number (train and test).
	Side, Images int
	// Steps, Batch and Channels: each task network's training steps,
	// minibatch and width.
	Steps, Batch, Channels int
}

// ProfileSettings gives the sizes per profile. Smoke proves every path in
// seconds (about 4 s). Quick trains on 32² crops of the stand-in photos (64
// per photo) for 1000 steps at batch 16 with width-8 blocks, and each of
// the four ablations likewise, then the 32² shapes tasks (four task
// networks, 400 steps each) and the battery on 64² crops of the held-out
// photos: the whole experiment took 2m34s on ONNX Runtime, the best CPU
// backend found (within its 6-minute share of the quick budget), and
// about 12.5 minutes on the pure Go backend (2 cores; measured on this
// project's machine). Paper uses BOSSbase's 256² crops with width-32
// blocks and 20 000 steps, sized for a GPU.
var ProfileSettings = map[experiment.Profile]Settings{
	experiment.Smoke: {Crop: 16, PerImage: 16, MaxImages: 4, Batch: 8, Steps: 30, Channels: 4, KeyPool: 8, Ablations: true, EvalKeys: 2,
		Task:    TaskSettings{Side: 16, Images: 60, Steps: 10, Batch: 8, Channels: 4},
		Measure: survey.Settings{CropSize: 32, PerImage: 4, KeyCrops: 2, RobustCrops: 2}, Samples: 2},
	experiment.Quick: {Crop: 32, PerImage: 64, Batch: 16, Steps: 1000, Channels: 8, KeyPool: 256, Ablations: true, EvalKeys: 8,
		Task:    TaskSettings{Side: 32, Images: 600, Steps: 400, Batch: 16, Channels: 8},
		Measure: survey.Settings{CropSize: 64, PerImage: 16, KeyCrops: 16, RobustCrops: 16}, Samples: 3, SpeedSteps: 3},
	experiment.Paper: {Crop: 256, PerImage: 4, Batch: 32, Steps: 20000, Channels: 32, KeyPool: 4096, Ablations: true, EvalKeys: 64,
		Task:    TaskSettings{Side: 64, Images: 8000, Steps: 5000, Batch: 32, Channels: 16},
		Measure: survey.Settings{CropSize: 256, PerImage: 4, KeyCrops: 64, RobustCrops: 64}, Samples: 3, SpeedSteps: 10},
}
