package battery

import (
	"fmt"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// ScatterPairs is the number of adjacent pixel pairs drawn in each scatter
// plot.
const ScatterPairs = 3000

// Figures draws the battery's figures on the first crop, with focal (one
// of the measured ciphers) as the cipher the histograms, scatter plots,
// wrong-key decryption and robustness panels show:
//
//   - "images": the plain crop, every cipher's image, and the focal
//     ciphertext decrypted with the key one bit away (key bit 0 flipped;
//     left out when that key is out of the scheme's range);
//   - "histogram-plain", "histogram-<focal>": grey-level histograms;
//   - "scatter-<direction>": adjacent pixel pairs of the plain and focal
//     cipher images, horizontally, vertically and diagonally;
//   - "robustness-<focal>" (when measured): the focal cipher's decryption
//     of each distorted cipher image.
func (r *Report) Figures(focal string) ([]results.Figure, error) {
	j := r.index(focal)
	if j < 0 {
		return nil, fmt.Errorf("battery figures: %q is not one of the measured ciphers (%s)", focal, strings.Join(r.bt.names, ", "))
	}
	p := r.first
	panels := []results.ImagePanel{{Title: "plain", Image: p}}
	var focalImage *imageio.Gray
	var names []string
	for i, k := range r.bt.keyed {
		c, err := k.c.Encrypt(p)
		if err != nil {
			return nil, fmt.Errorf("battery figures: %s: %w", k.name, err)
		}
		if i == j {
			focalImage = c
		}
		names = append(names, fmt.Sprintf("%q", k.name))
		panels = append(panels, results.ImagePanel{Title: k.name, Image: c})
	}
	caption := fmt.Sprintf("Left to right: plaintext; %s", strings.Join(names, "; "))
	if w := r.bt.keyed[j].wrong; w != nil {
		wrong, err := w.Decrypt(focalImage)
		if err != nil {
			return nil, fmt.Errorf("battery figures: %s with a wrong key: %w", focal, err)
		}
		panels = append(panels, results.ImagePanel{Title: "wrong-key decryption", Image: wrong})
		caption += fmt.Sprintf("; the %q ciphertext decrypted with a key one bit away", focal)
	}
	figs := []results.Figure{{
		Name: "images", Title: "Plain image and cipher images (first crop)", Kind: results.KindImages,
		Caption: caption + ".", Images: panels,
	}}
	for _, h := range []struct {
		name, title string
		img         *imageio.Gray
	}{{"histogram-plain", "Histogram of the plain image", p}, {"histogram-" + fileSafe(focal), fmt.Sprintf("Histogram of the %q cipher image", focal), focalImage}} {
		hist, err := metrics.Histogram(h.img)
		if err != nil {
			return nil, err
		}
		s := results.Series{Name: "count"}
		for v, c := range hist {
			s.X = append(s.X, float64(v))
			s.Y = append(s.Y, float64(c))
		}
		figs = append(figs, results.Figure{Name: h.name, Title: h.title, Kind: results.KindBars,
			XLabel: "gray level", YLabel: "pixels", Series: []results.Series{s}, XMin: 0, XMax: float64(p.MaxValue())})
	}
	for _, d := range metrics.Directions {
		fig := results.Figure{Name: "scatter-" + d.String(), Kind: results.KindScatter,
			Title:   fmt.Sprintf("Adjacent pixels, %s (%d sampled pairs)", d, ScatterPairs),
			Caption: "Value of a pixel (x axis) against its neighbour (y axis): the plain image hugs the diagonal, the cipher image fills the square.",
			XLabel:  "pixel value", YLabel: "neighbour value", XMin: 0, XMax: float64(p.MaxValue()), YMin: 0, YMax: float64(p.MaxValue())}
		for _, src := range []struct {
			name string
			img  *imageio.Gray
		}{{"plain", p}, {focal, focalImage}} {
			pairs, err := metrics.AdjacentPairs(src.img, d, ScatterPairs, r.bt.sub("scatter", d.String()))
			if err != nil {
				return nil, err
			}
			s := results.Series{Name: src.name}
			for _, pr := range pairs {
				s.X = append(s.X, float64(pr.X))
				s.Y = append(s.Y, float64(pr.Y))
			}
			fig.Series = append(fig.Series, s)
		}
		figs = append(figs, fig)
	}
	if len(r.robust) > 0 {
		fig := results.Figure{Name: "robustness-" + fileSafe(focal), Kind: results.KindImages,
			Title:   fmt.Sprintf("Decryption of a damaged %q cipher image (first crop)", focal),
			Caption: fmt.Sprintf("The %q cipher image of the first crop, distorted as labelled, then decrypted with the right key.", focal)}
		k := r.bt.keyed[j]
		for d := -1; d < len(r.bt.cfg.robust); d++ {
			damaged, title := focalImage, NoDistortion
			if d >= 0 {
				title = r.bt.cfg.robust[d].Name
				damaged = r.bt.cfg.robust[d].Apply(focalImage, distortionSeed(r.bt.sub("robust", 0), d))
			}
			back, err := k.c.Decrypt(damaged)
			if err != nil {
				return nil, fmt.Errorf("battery figures: %s, %s: %w", focal, title, err)
			}
			fig.Images = append(fig.Images, results.ImagePanel{Title: title, Image: back})
		}
		figs = append(figs, fig)
	}
	return figs, nil
}

// fileSafe makes a cipher name usable in a figure name (a file name): the
// '/' of a trained scheme "<family>/<tag>" becomes '-'.
func fileSafe(name string) string { return strings.ReplaceAll(name, "/", "-") }
