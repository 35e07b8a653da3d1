package recognition

import "github.com/neurocrypt/neurocrypt/pkg/experiment"

// Settings are the sizes of one profile.
type Settings struct {
	// Crop, PerImage and MaxImages make the crop plan: crops of Crop²
	// (a multiple of 16), PerImage per source image, from MaxImages
	// images (0: all), split by source image (experiment.CropPlan).
	Crop, PerImage, MaxImages int
	// Width scales every model (recognet.Config.Width); Batch and Epochs
	// are the same for all six models.
	Width, Batch, Epochs int
	// TrainEval is the number of training samples whose loss is recorded
	// after each epoch.
	TrainEval int
	// SpeedSteps is the number of timed steps of the speed comparison
	// with PyTorch (speed.go; 0: not measured).
	SpeedSteps int
}

// ProfileSettings gives the sizes per profile.
//
// Smoke proves every path in seconds. Quick trains the six models on the
// three tasks over 32² crops of the stand-in photos (64 per photo: 704
// training crops from 11 photos and 192 test crops from the 3 others;
// every class is built from each crop, so the cipher-identification task
// has six times as many samples) for 10 epochs at batch 32, width 4: the
// whole experiment took 1m42s on ONNX Runtime, the best CPU
// backend found, and 4m51s on the pure Go backend (2 cores, speed
// comparison included; measured on this project's machine). Paper
// is the paper's setting on BOSSbase (256² crops, 32 000 / 8 000 split,
// 60 epochs, batch 128), with AlexNet at width 32 (32, 64, 96, 96, 64
// channels; dense 256), sized for a GPU.
var ProfileSettings = map[experiment.Profile]Settings{
	experiment.Smoke: {Crop: 16, PerImage: 4, MaxImages: 4, Width: 2, Batch: 8, Epochs: 2, TrainEval: 16},
	experiment.Quick: {Crop: 32, PerImage: 64, Width: 4, Batch: 32, Epochs: 10, TrainEval: 128, SpeedSteps: 3},
	experiment.Paper: {Crop: 256, PerImage: 4, Width: 32, Batch: 128, Epochs: 60, TrainEval: 512, SpeedSteps: 10},
}
