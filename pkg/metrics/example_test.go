package metrics_test

import (
	"encoding/json"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
)

func ExampleWuCriticalValues() {
	for _, alpha := range metrics.WuAlphas {
		c, err := metrics.WuCriticalValues(256, 256, alpha)
		if err != nil {
			panic(err)
		}
		fmt.Printf("α=%-5v N*=%.4f%%  U*=[%.4f%%, %.4f%%]\n", alpha, c.NPCR, c.UACILow, c.UACIHigh)
	}
	// Output:
	// α=0.05  N*=99.5693%  U*=[33.2824%, 33.6447%]
	// α=0.01  N*=99.5527%  U*=[33.2255%, 33.7016%]
	// α=0.001 N*=99.5341%  U*=[33.1594%, 33.7677%]
}

func ExampleReport_MarshalJSON() {
	// A constant 4×4 "ciphertext" equal to its plaintext: PSNR is +Inf, the
	// correlations are undefined and SSIM needs 11×11 pixels, so they are null.
	img := imageio.NewGray(4, 4)
	r, err := metrics.NewReport(img, img.Clone(), nil)
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
	// Output:
	// {"entropy":0,"npcr":0,"uaci":0,"corr_h":null,"corr_v":null,"corr_d":null,"chi2":4080,"psnr":null,"ssim":null,"depth":8}
}

// Score a binary classifier (class 1 positive): 5 true positives, 3 false
// negatives, 2 false positives, 10 true negatives.
func ExampleConfusion() {
	c, err := metrics.NewConfusion(2)
	if err != nil {
		panic(err)
	}
	truth := []int{1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	pred := []int{1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if err := c.AddAll(truth, pred); err != nil {
		panic(err)
	}
	fmt.Println(c.Rows())
	fmt.Printf("accuracy %.4f, class 1: precision %.4f recall %.4f F1 %.4f, macro F1 %.4f\n",
		c.Accuracy(), c.Precision(1), c.Recall(1), c.F1(1), c.MacroF1())
	fmt.Println(c.Add(0, 2))
	// Output:
	// [[10 2] [3 5]]
	// accuracy 0.7500, class 1: precision 0.7143 recall 0.6250 F1 0.6667, macro F1 0.7333
	// metrics: predicted class 2 is outside 0..1
}
