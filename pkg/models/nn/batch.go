package nn

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
)

// ImageBatch turns a batch of labelled samples (dataset.Batches) into
// tensors: images [batch, height, width, 1] float32 with grey levels
// scaled to [0, 1], and labels [batch] int32 (dataset.NoLabel where a
// sample has none). Every sample must have the first one's size; an
// empty batch is an error.
func ImageBatch(samples []dataset.Sample) (images, labels *tensors.Tensor, err error) {
	if len(samples) == 0 {
		return nil, nil, fmt.Errorf("nn: empty batch")
	}
	w, h := samples[0].Image.Width, samples[0].Image.Height
	pix := make([]float32, 0, len(samples)*w*h)
	lab := make([]int32, len(samples))
	for i, s := range samples {
		if s.Image == nil || s.Image.Width != w || s.Image.Height != h || len(s.Image.Pix) != w*h {
			return nil, nil, fmt.Errorf("nn: batch sample %d (%s at %d,%d) is not a %dx%d image", i, s.ImageID, s.X, s.Y, w, h)
		}
		for _, v := range s.Image.Pix {
			pix = append(pix, float32(v)/255)
		}
		lab[i] = int32(s.Label)
	}
	return tensors.FromFlatDataAndDimensions(pix, len(samples), h, w, 1), tensors.FromFlatDataAndDimensions(lab, len(samples)), nil
}
