package gan

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
	// Batch, Steps and Channels: the minibatch, the training steps (one D
	// step and one G/R step each) and the networks' width.
	Batch, Steps, Channels int
	// DistSteps and DistRounds size the distinguishing test (a fresh
	// discriminator's training steps; test batches of the evaluation
	// crops).
	DistSteps, DistRounds int
	// Measure sizes the security battery, run on crops of the held-out
	// test images only (the survey's settings; KnownPairs unused).
	Measure survey.Settings
	// SpeedSteps is the number of timed steps of the speed comparison
	// (0: none; see SpeedCrop).
	SpeedSteps int
	// Samples is the number of crops shown as plain / cipher / decrypted
	// / wrong-key images.
	Samples int
}

// ProfileSettings gives the sizes per profile. Smoke proves every path in
// seconds. Quick trains on 32² crops of the stand-in photos (64 per photo)
// for 600 steps at batch 16 with 16-channel networks: about 1.5 minutes on
// ONNX Runtime and 6 on the pure Go backend (2 cores; measured), within
// the experiment's 6-minute share of the quick budget on the best CPU
// backend; the battery then runs on 64² crops of the held-out photos.
// Paper uses BOSSbase's 256² crops with 32-channel networks and 20 000
// steps, sized for a GPU.
var ProfileSettings = map[experiment.Profile]Settings{
	experiment.Smoke: {Crop: 16, PerImage: 16, MaxImages: 4, Batch: 8, Steps: 40, Channels: 8, DistSteps: 10, DistRounds: 2,
		Measure: survey.Settings{CropSize: 32, PerImage: 4, KeyCrops: 2, RobustCrops: 2}, Samples: 2},
	experiment.Quick: {Crop: 32, PerImage: 64, Batch: 16, Steps: 600, Channels: 16, DistSteps: 150, DistRounds: 32,
		Measure: survey.Settings{CropSize: 64, PerImage: 16, KeyCrops: 16, RobustCrops: 16}, Samples: 3, SpeedSteps: 3},
	experiment.Paper: {Crop: 256, PerImage: 4, Batch: 32, Steps: 20000, Channels: 32, DistSteps: 2000, DistRounds: 64,
		Measure: survey.Settings{CropSize: 256, PerImage: 4, KeyCrops: 64, RobustCrops: 64}, Samples: 3, SpeedSteps: 10},
}
