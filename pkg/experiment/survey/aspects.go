package survey

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// The six aspects of the survey's §3 and Tables 1–2 ("Specificities"), in
// table order.
const (
	AspectKeySpace    = "key space size"
	AspectSensitivity = "key sensitivity"
	AspectCorrelation = "neighbouring pixel correlation"
	AspectNoise       = "noise resistance"
	AspectDistortion  = "image distortion"
	AspectEntropy     = "visual entropy"
)

// Aspects lists the aspects in table and figure order.
var Aspects = []string{AspectKeySpace, AspectSensitivity, AspectCorrelation, AspectNoise, AspectDistortion, AspectEntropy}

// TableName is the name of the aspect table.
const TableName = "aspects"

// Row keys of the measures the claims read.
const (
	keyKeySpace   = "keyspace"
	keyCorrH      = "corr/h"
	keyCorrV      = "corr/v"
	keyCorrD      = "corr/d"
	keyNoiseScore = "noise/score"
	keySSIM       = "ssim"
	keyEntropy    = "entropy"
	keyLocal      = "entropy/local"
)

func keyNPCR(bit int) string { return fmt.Sprintf("npcr/%d", bit) }

// noiseDistortion is the distortion of the noise-resistance score.
func noiseDistortion() battery.Distortion { return battery.SaltPepper(NoiseFraction) }

// own holds what this package measures itself, crop by crop.
type own struct {
	baseline []float64 // [robustness crop]: SSIM(plain, plain with the noise of noiseDistortion)
}

// measureOwn measures, on the first nRobust crops of the plan (the
// battery's robustness crops), SSIM between the crop and the crop itself
// hit by noiseDistortion: the in-place damage a decryption can at best
// give, the denominator of the noise-resistance score.
func measureOwn(ctx context.Context, plan *dataset.Plan, nRobust int, seed uint64) (*own, error) {
	crops, err := firstCrops(ctx, plan, dataset.All, nRobust)
	if err != nil {
		return nil, err
	}
	o := &own{baseline: make([]float64, len(crops))}
	noise := noiseDistortion()
	err = battery.ParallelFor(ctx, len(crops), func(i int) error {
		var err error
		if o.baseline[i], err = metrics.SSIM(crops[i], noise.Apply(crops[i], seeds.Sub(seed, i))); err != nil {
			return fmt.Errorf("crop %d, noise baseline: %w", i, err)
		}
		return nil
	})
	return o, err
}

// row is one measure of the aspect table.
type row struct {
	key      string // stable key (claims read rows by it)
	aspect   string // one of Aspects
	label    string // table row label
	unit     string
	series   string // legend entry in the aspect's figure ("": not drawn)
	constant bool   // one value per scheme (no spread over crops)
}

// measurement is every measure of every cipher, crop by crop.
type measurement struct {
	ciphers  []described
	rows     []row
	vals     [][][]float64 // [row][cipher][crop]
	plain    [][]float64   // [row][crop]; nil where the plain image has no value
	cropSize int
	peak     int // the crops' largest level (255 for 8-bit crops)
	crops    int
	keyCrops int
	robust   int
	plainMax float64 // mean over crops of the plain crops' largest |adjacent correlation|
}

// measure collects the battery's per-crop values and ours into rows.
func measure(rep *battery.Report, cs []described, o *own) *measurement {
	m := &measurement{ciphers: cs, cropSize: rep.CropSize(), peak: rep.Peak(), crops: rep.Crops()}
	add := func(r row, plain []float64, per func(d described, j int) []float64) {
		m.rows = append(m.rows, r)
		v := make([][]float64, len(cs))
		for j, d := range cs {
			v[j] = per(d, j)
		}
		m.vals = append(m.vals, v)
		m.plain = append(m.plain, plain)
	}
	add(row{key: keyKeySpace, aspect: AspectKeySpace, label: "key space size: log2 of the number of keys", unit: "bits",
		series: "log2 keys", constant: true}, nil,
		func(d described, _ int) []float64 { return []float64{d.keyBits} })
	for _, bit := range rep.FlippedBits() {
		flips := func(d described, f func(battery.KeyFlip) float64) []float64 {
			fl := rep.KeyFlips(d.name, bit)
			out := make([]float64, len(fl))
			for i, x := range fl {
				out[i] = math.NaN()
				if !x.Invalid {
					out[i] = f(x)
				}
			}
			return out
		}
		add(row{key: keyNPCR(bit), aspect: AspectSensitivity, label: fmt.Sprintf("key sensitivity: NPCR between ciphertexts, key bit %d flipped", bit),
			unit: "%", series: fmt.Sprintf("key bit %d", bit)}, nil,
			func(d described, _ int) []float64 { return flips(d, func(x battery.KeyFlip) float64 { return x.NPCR }) })
		add(row{key: fmt.Sprintf("psnr/%d", bit), aspect: AspectSensitivity, label: fmt.Sprintf("key sensitivity: wrong-key decryption PSNR, key bit %d flipped", bit),
			unit: "dB"}, nil,
			func(d described, _ int) []float64 {
				return flips(d, func(x battery.KeyFlip) float64 { return x.WrongKeyPSNR })
			})
		add(row{key: fmt.Sprintf("unchanged/%d", bit), aspect: AspectSensitivity, label: fmt.Sprintf("key sensitivity: flips of key bit %d that left the ciphertext unchanged", bit),
			unit: "%"}, nil,
			func(d described, _ int) []float64 {
				return flips(d, func(x battery.KeyFlip) float64 {
					if x.Unchanged {
						return 100
					}
					return 0
				})
			})
	}
	for _, c := range []struct {
		key, dir string
		m        battery.Metric
	}{{keyCorrH, "horizontal", battery.CorrH}, {keyCorrV, "vertical", battery.CorrV}, {keyCorrD, "diagonal", battery.CorrD}} {
		add(row{key: c.key, aspect: AspectCorrelation, label: "neighbouring pixel correlation, " + c.dir, series: c.dir},
			rep.PlainPerCrop(c.m), func(d described, _ int) []float64 { return rep.PerCrop(d.name, c.m) })
	}
	m.keyCrops = len(rep.KeyFlips(cs[0].name, rep.FlippedBits()[0]))
	noise := noiseDistortion().Name
	for _, dist := range rep.Distortions() {
		add(row{key: "noise/psnr/" + dist, aspect: AspectNoise, label: "noise resistance: PSNR of the decrypted damaged cipher image, " + dist, unit: "dB"}, nil,
			func(d described, _ int) []float64 {
				var out []float64
				for _, x := range rep.Robust(d.name, dist) {
					out = append(out, metrics.PSNRFromMSEPeak(x.MSE, rep.Peak()))
				}
				return out
			})
		add(row{key: "noise/ssim/" + dist, aspect: AspectNoise, label: "noise resistance: SSIM of the decrypted damaged cipher image, " + dist, series: dist}, nil,
			func(d described, _ int) []float64 {
				var out []float64
				for _, x := range rep.Robust(d.name, dist) {
					out = append(out, x.SSIM)
				}
				return out
			})
	}
	m.robust = len(o.baseline)
	add(row{key: keyNoiseScore, aspect: AspectNoise, label: "noise resistance score: decrypted SSIM / SSIM of the plain image given the same noise, " + noise}, nil,
		func(d described, _ int) []float64 {
			rs := rep.Robust(d.name, noise)
			out := make([]float64, len(rs))
			for i, x := range rs {
				out[i] = math.NaN()
				if i < len(o.baseline) && o.baseline[i] > 0 {
					out[i] = x.SSIM / o.baseline[i]
				}
			}
			return out
		})
	add(row{key: keySSIM, aspect: AspectDistortion, label: "image distortion: SSIM(plain image, cipher image)", series: "SSIM(plain, cipher)"}, nil,
		func(d described, _ int) []float64 { return rep.PerCrop(d.name, battery.SSIMPlainCipher) })
	add(row{key: keyEntropy, aspect: AspectEntropy, label: "visual entropy: global Shannon entropy", unit: "bits", series: "global"},
		rep.PlainPerCrop(battery.Entropy), func(d described, _ int) []float64 { return rep.PerCrop(d.name, battery.Entropy) })
	add(row{key: keyLocal, aspect: AspectEntropy, label: fmt.Sprintf("visual entropy: local Shannon entropy (%d² blocks)", metrics.LocalEntropyBlockSize), unit: "bits", series: "local"},
		rep.PlainPerCrop(battery.LocalEntropy), func(d described, _ int) []float64 { return rep.PerCrop(d.name, battery.LocalEntropy) })
	// The plain crops' largest |correlation|, crop by crop, then averaged.
	h, v, d := rep.PlainPerCrop(battery.CorrH), rep.PlainPerCrop(battery.CorrV), rep.PlainPerCrop(battery.CorrD)
	pm := make([]float64, len(h))
	for i := range h {
		pm[i] = math.Max(math.Abs(h[i]), math.Max(math.Abs(v[i]), math.Abs(d[i])))
	}
	m.plainMax, _ = battery.MeanSD(pm)
	return m
}

// rowIndex returns the index of the row with key, or -1.
func (m *measurement) rowIndex(key string) int {
	for i, r := range m.rows {
		if r.key == key {
			return i
		}
	}
	return -1
}

// mean is the mean over crops of measure key for cipher j (NaN when there
// is no such measure or value).
func (m *measurement) mean(key string, j int) float64 {
	i := m.rowIndex(key)
	if i < 0 {
		return math.NaN()
	}
	mean, _ := battery.MeanSD(m.vals[i][j])
	return mean
}

// maxCorr is cipher j's largest |mean adjacent correlation| over the three
// directions.
func (m *measurement) maxCorr(j int) float64 {
	c := 0.0
	for _, k := range []string{keyCorrH, keyCorrV, keyCorrD} {
		c = math.Max(c, math.Abs(m.mean(k, j)))
	}
	return c
}

// table is the aspect table: the survey's Tables 1–2 with numbers.
func (m *measurement) table() results.Table {
	t := results.Table{
		Name: TableName,
		Caption: fmt.Sprintf("The survey's Tables 1–2 measured: rows are its six aspects, columns every registered cipher grouped by class "+
			"(\"<class>: <scheme>\"; the survey's families first), each cell the mean over crops and, in the sd column, the standard deviation "+
			"(population) over crops. %d crops of %d²; key sensitivity on the first %d crops (each with its own key), noise resistance on the first %d. "+
			"Key space: one number per scheme (cipher.KeySpacer; \"not stated\" when the scheme does not say). "+
			"Wrong-key PSNR leaves out decryptions identical to the plain crop (∞ dB; counted in the \"unchanged\" row), and a flipped key outside "+
			"the scheme's range counts in no row. Noise rows: the cipher image is damaged (battery distortions), decrypted with the right key and compared "+
			"with the plain crop, per crop. Distortion: SSIM between the plain crop and its cipher image (the survey's eq. (14)); 1 = no distortion. "+
			"Entropies in bits per pixel (ideal 8); local entropy needs crops of at least %d² (— otherwise).",
			m.crops, m.cropSize, m.keyCrops, m.robust, metrics.LocalEntropyBlockSize),
		Columns: []string{"aspect: measure", "unit", "plain images", "plain images sd"},
	}
	for _, d := range m.ciphers {
		t.Columns = append(t.Columns, d.column(), d.column()+" sd")
	}
	for i, r := range m.rows {
		cells := []any{r.label, r.unit}
		if m.plain[i] != nil {
			mean, sd := battery.MeanSD(m.plain[i])
			cells = append(cells, mean, sd)
		} else {
			cells = append(cells, nil, nil)
		}
		for j := range m.ciphers {
			mean, sd := battery.MeanSD(m.vals[i][j])
			switch {
			case r.key == keyKeySpace && math.IsNaN(mean):
				cells = append(cells, "not stated", nil)
			case r.constant:
				cells = append(cells, mean, nil)
			default:
				cells = append(cells, mean, sd)
			}
		}
		t.AddRow(cells...)
	}
	return t
}

// FigureName is the name of the bar figure of an aspect: "aspect-" and the
// aspect with spaces as dashes.
func FigureName(aspect string) string { return "aspect-" + strings.ReplaceAll(aspect, " ", "-") }

// figures draws one bar figure per aspect: x = the ciphers in table order
// (1, 2, …, named in the caption), one series per measure of the aspect.
func (m *measurement) figures() []results.Figure {
	var names, legend []string
	for _, d := range m.ciphers {
		names = append(names, d.name)
		legend = append(legend, d.column())
	}
	var figs []results.Figure
	for _, a := range Aspects {
		f := results.Figure{Name: FigureName(a), Kind: results.KindBars,
			Title:   fmt.Sprintf("%s%s, per cipher (mean over crops)", strings.ToUpper(a[:1]), a[1:]),
			Caption: "Ciphers (class: name): " + strings.Join(legend, "; ") + ". The table \"" + TableName + "\" has the standard deviations.",
			XLabel:  "cipher", XCategories: names}
		for i, r := range m.rows {
			if r.aspect != a || r.series == "" {
				continue
			}
			s := results.Series{Name: r.series}
			for j := range m.ciphers {
				mean, _ := battery.MeanSD(m.vals[i][j])
				s.X = append(s.X, float64(j+1))
				s.Y = append(s.Y, mean)
			}
			f.Series = append(f.Series, s)
			f.YLabel = r.unit
		}
		switch a {
		case AspectSensitivity:
			f.YLabel = "NPCR between the ciphertexts (%)"
		case AspectCorrelation:
			f.YLabel = "correlation coefficient"
		case AspectNoise, AspectDistortion:
			f.YLabel = "SSIM"
		}
		figs = append(figs, f)
	}
	return figs
}
