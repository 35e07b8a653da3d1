package nn

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// ImageBatch turns a batch of labelled samples (dataset.Batches) into
// tensors: images [batch, height, width, 1] float32 with grey levels
// scaled to [0, 1] (divided by 2^depth − 1), and labels [batch] int32 (dataset.NoLabel where a
// sample has none). Every sample must have the first one's size; an empty
// batch or a sample without an image is an error naming the sample.
func ImageBatch(samples []dataset.Sample) (images, labels *tensors.Tensor, err error) {
	if images, err = stack(samples, func(s dataset.Sample) *imageio.Gray { return s.Image }, "image"); err != nil {
		return nil, nil, err
	}
	lab := make([]int32, len(samples))
	for i, s := range samples {
		lab[i] = int32(s.Label)
	}
	return images, tensors.FromFlatDataAndDimensions(lab, len(samples)), nil
}

// MaskBatch turns the masks of a batch of samples into a tensor [batch,
// height, width, 1] float32 scaled to [0, 1], like ImageBatch's images;
// every sample needs a mask of the first one's size.
func MaskBatch(samples []dataset.Sample) (*tensors.Tensor, error) {
	return stack(samples, func(s dataset.Sample) *imageio.Gray { return s.Mask }, "mask")
}

// stack stacks one image per sample into [batch, height, width, 1].
func stack(samples []dataset.Sample, pick func(dataset.Sample) *imageio.Gray, what string) (*tensors.Tensor, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("nn: empty batch")
	}
	var w, h int
	var pix []float32
	for i, s := range samples {
		g := pick(s)
		if i == 0 && g != nil {
			w, h = g.Width, g.Height
			pix = make([]float32, 0, len(samples)*w*h)
		}
		where := fmt.Sprintf("nn: batch sample %d (%s at %d,%d)", i, s.ImageID, s.X, s.Y)
		switch {
		case g == nil:
			return nil, fmt.Errorf("%s: no %s", where, what)
		case g.Check() != nil:
			return nil, fmt.Errorf("%s: invalid %s: %v", where, what, g.Check())
		case g.Width != w || g.Height != h:
			return nil, fmt.Errorf("%s: a %dx%d %s, want %dx%d like the batch's first sample", where, g.Width, g.Height, what, w, h)
		}
		peak := float32(g.MaxValue())
		for k := 0; k < g.Len(); k++ {
			pix = append(pix, float32(g.Sample(k))/peak)
		}
	}
	return tensors.FromFlatDataAndDimensions(pix, len(samples), h, w, 1), nil
}
