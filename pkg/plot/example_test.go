package plot_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/plot"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// ExampleSVG renders a line chart with a band.
func ExampleSVG() {
	svg, err := plot.SVG(results.Figure{
		Name: "loss", Title: "Training loss", Kind: results.KindLine, XLabel: "step", YLabel: "loss",
		Series: []results.Series{{
			Name: "Bob", X: []float64{0, 1, 2, 3}, Y: []float64{2, 1.2, 0.8, 0.7},
			Lower: []float64{1.8, 1.0, 0.7, 0.6}, Upper: []float64{2.2, 1.4, 0.9, 0.8},
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(svg, "<svg "), strings.Count(svg, `<g class="series"`))
	// Output: true 1
}
