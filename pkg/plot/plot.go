// Package plot renders an results.Figure to a self-contained SVG document:
// no scripts, no external fonts or URLs, images embedded as PNG data URIs.
// The same SVG is written to reports/figures/*.svg, inlined in the HTML
// report pages and shown in notebooks.
//
// Drawing conventions:
//
//   - Colours come from the Okabe–Ito palette, which stays distinguishable
//     under the common forms of colour blindness; series are told apart by
//     the legend as well as by colour.
//   - Points whose X or Y is NaN or ±Inf are skipped; a line is broken at
//     such a point rather than joined across it. Band points are skipped the
//     same way when Lower or Upper is not finite.
//   - On a logarithmic y axis (Figure.LogY) non-positive values cannot be
//     drawn: such points are skipped exactly like NaN (and bars with a
//     non-positive height are omitted). A fixed y range (YMin < YMax) with
//     YMin ≤ 0 on a log axis is a configuration error.
//   - A figure without any drawable point renders empty axes with the
//     note "no data" instead of failing.
//   - Every series is one <g class="series"> element and every image panel
//     one <g class="panel"> element, so tests and tools can find them.
//   - The root element carries width, height and viewBox, so the figure
//     scales when a page sets its width (e.g. max-width: 100%).
//
// # Why not gonum/plot
//
// The house rule prefers a well-kept library, and gonum.org/v1/plot (v0.15.2,
// already in go.mod through GoMLX) draws every kind of figure used here —
// lines, bands, grouped and categorical bars, scatter, log axes, image
// panels — and its SVG (vg/vgsvg) is deterministic; displaying a figure in
// a notebook, and updating it in place, only needs the SVG text, so either
// renderer would do there. What it cannot do is be self-contained at a
// reasonable size: it lays text out with the metrics of its embedded
// Liberation fonts and writes font-family "Liberation Serif" into the SVG,
// so a viewer without that font substitutes another and the layout no
// longer matches; with vgsvg.EmbedFonts(true) the fonts travel with each
// figure, and a five-bar figure with a title and two axis labels was
// 529 222 bytes (4 557 without the fonts). The committed reports hold
// dozens of figures, inlined in their pages and also written as files, so
// that is megabytes per page. This package uses the viewer's sans-serif
// font with text anchored at its ends and middles (no measurement needed),
// and a figure is typically a few kilobytes. Measured on 2026-11-29; if
// vgsvg gains font subsetting, revisit.
package plot

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"image/png"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Layout constants of the axes figures (line, bars, scatter), in SVG user
// units (CSS pixels at scale 1).
const (
	// Width and Height are the size of a line, bars or scatter figure.
	Width  = 640
	Height = 400

	marginLeft   = 68
	marginRight  = 20
	marginTop    = 40
	marginBottom = 52
	fontSize     = 12
	titleSize    = 14
	tickLen      = 5
	// targetTicks is the approximate number of ticks per axis.
	targetTicks = 6
	// charWidth approximates the advance of one character at fontSize, used
	// to size the legend (SVG has no text measurement without a browser).
	charWidth = 0.6 * fontSize
	// maxLegendChars truncates long series names in the legend.
	maxLegendChars = 28
	// maxLogDecades thins decade ticks on wide log axes.
	maxLogDecades = 8
	// barFill is the fraction of the x spacing that bars occupy.
	barFill = 0.8
	// scatterPad pads the x range of scatter plots on both sides.
	scatterPad = 0.03
	// pointRadius is the radius of scatter circles.
	pointRadius = 2.5
	// bandOpacity is the fill opacity of Lower/Upper bands.
	bandOpacity = 0.2
)

// Layout constants of image figures.
const (
	// imageMaxColumns is the most image panels per row.
	imageMaxColumns = 4
	// imageMinSide and imageMaxSide bound the displayed size of an image's
	// longer side: small crops are magnified (pixelated), large ones shrunk.
	imageMinSide = 128
	imageMaxSide = 256
	imageGap     = 16
	imageTitleH  = 20
	// maxImagePixels rejects images too large to embed in a report.
	maxImagePixels = 4096 * 4096
)

// FontFamily lists system fonts only; no web font is ever referenced.
const FontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

// Palette is the Okabe–Ito colour-blind-safe palette, in drawing order
// (yellow last: it is the hardest to see on white).
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"}

// SVG renders fig to a standalone SVG document. It returns an error naming
// the figure for malformed input (unknown kind, X/Y length mismatch, band
// length mismatch, nil or inconsistent image, fixed log range with YMin ≤ 0);
// it never panics on bad data.
func SVG(fig results.Figure) (string, error) {
	switch fig.Kind {
	case results.KindLine, results.KindBars, results.KindScatter:
		if err := validateSeries(fig); err != nil {
			return "", err
		}
		return axesSVG(fig)
	case results.KindImages:
		return imagesSVG(fig)
	default:
		return "", fmt.Errorf("figure %q: unknown kind %q (want line, bars, scatter or images)", fig.Name, fig.Kind)
	}
}

// MustSVG is like SVG but panics on error; for examples and tests.
func MustSVG(fig results.Figure) string {
	s, err := SVG(fig)
	if err != nil {
		panic(err)
	}
	return s
}

func validateSeries(fig results.Figure) error {
	for i, s := range fig.Series {
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("figure %q: series %d (%q) has %d x values but %d y values", fig.Name, i, s.Name, len(s.X), len(s.Y))
		}
		if (s.Lower == nil) != (s.Upper == nil) {
			return fmt.Errorf("figure %q: series %d (%q) sets only one of Lower and Upper", fig.Name, i, s.Name)
		}
		if s.Lower != nil && (len(s.Lower) != len(s.Y) || len(s.Upper) != len(s.Y)) {
			return fmt.Errorf("figure %q: series %d (%q) has a band of %d/%d values for %d points", fig.Name, i, s.Name, len(s.Lower), len(s.Upper), len(s.Y))
		}
	}
	if fig.LogY && fig.YMin < fig.YMax && fig.YMin <= 0 {
		return fmt.Errorf("figure %q: log y axis with fixed range [%g, %g]: YMin must be > 0", fig.Name, fig.YMin, fig.YMax)
	}
	return nil
}

// svgWriter accumulates SVG markup.
type svgWriter struct{ bytes.Buffer }

func (w *svgWriter) printf(format string, args ...any) { fmt.Fprintf(&w.Buffer, format, args...) }

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		default:
			// Drop characters XML 1.0 forbids (control characters, U+FFFE/F).
			if xmlChar(r) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// num formats a coordinate compactly (one decimal, no trailing ".0").
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// header writes the root element, a <title>, a white background and the
// figure title.
func header(w *svgWriter, fig results.Figure, width, height int) {
	w.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" style="max-width:100%%;height:auto" role="img" aria-label="%s" font-family="%s" font-size="%d">`+"\n",
		width, height, width, height, esc(label(fig)), FontFamily, fontSize)
	w.printf("<title>%s</title>\n", esc(label(fig)))
	w.printf(`<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	if fig.Title != "" {
		w.printf(`<text x="%s" y="24" text-anchor="middle" font-size="%d" font-weight="bold" fill="#222222">%s</text>`+"\n",
			num(float64(width)/2), titleSize, esc(fig.Title))
	}
}

func label(fig results.Figure) string {
	if fig.Title != "" {
		return fig.Title
	}
	return fig.Name
}

// figureID derives a deterministic element id prefix from the figure's
// content, so several figures inlined in one HTML page don't clash and
// re-rendering the same figure gives identical bytes.
func figureID(fig results.Figure) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00", fig.Name, fig.Title, fig.Kind, len(fig.Series))
	for _, s := range fig.Series {
		fmt.Fprintf(h, "%s\x00%v%v%v%v", s.Name, s.X, s.Y, s.Lower, s.Upper)
	}
	return fmt.Sprintf("ncplot-%016x", h.Sum64())
}

// scale maps data values on one axis to pixels.
type scale struct {
	lo, hi     float64 // data range (log10 of it for log axes)
	p0, p1     float64 // pixel range
	log        bool
	ticks      []float64 // tick values in data units
	tickLabels []string
}

func (s scale) ok(v float64) bool { return finite(v) && (!s.log || v > 0) }

func (s scale) px(v float64) float64 {
	if s.log {
		v = math.Log10(v)
	}
	return s.p0 + (v-s.lo)/(s.hi-s.lo)*(s.p1-s.p0)
}

// extent is the range of finite (and, for log axes, positive) values.
type extent struct {
	min, max float64
	n        int
}

func (e *extent) add(v float64, log bool) {
	if !finite(v) || (log && v <= 0) {
		return
	}
	if e.n == 0 || v < e.min {
		e.min = v
	}
	if e.n == 0 || v > e.max {
		e.max = v
	}
	e.n++
}

// niceStep returns a step of 1, 2, 2.5 or 5 × 10^k giving about target
// intervals over span.
func niceStep(span float64, target int) float64 {
	raw := span / float64(target)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	f := raw / mag
	switch {
	case f <= 1:
		return mag
	case f <= 2:
		return 2 * mag
	case f <= 2.5:
		return 2.5 * mag
	case f <= 5:
		return 5 * mag
	default:
		return 10 * mag
	}
}

// linearTicks returns the multiples of step in [lo, hi] and their labels.
func linearTicks(lo, hi, step float64) ([]float64, []string) {
	// The fewest decimals that write step exactly (0.25 → 2, 2.5 → 1, 50 → 0).
	decimals := 0
	for ; decimals < 12; decimals++ {
		m := step * math.Pow(10, float64(decimals))
		if math.Abs(m-math.Round(m)) <= 1e-6*m {
			break
		}
	}
	var ticks []float64
	var labels []string
	eps := step * 1e-6
	for k := math.Ceil((lo - eps) / step); k*step <= hi+eps; k++ {
		v := k * step
		if math.Abs(v) < eps {
			v = 0
		}
		ticks = append(ticks, v)
		labels = append(labels, tickLabel(v, decimals))
		if len(ticks) > 100 { // cannot happen with niceStep; guards against float oddities
			break
		}
	}
	return ticks, labels
}

func tickLabel(v float64, decimals int) string {
	a := math.Abs(v)
	if a != 0 && (a >= 1e6 || a < 1e-4) {
		s := strconv.FormatFloat(v, 'g', 3, 64)
		return strings.Replace(strings.Replace(s, "e+0", "e", 1), "e-0", "e-", 1)
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// linearScale builds a scale over [min, max]. When fixed is false and
// expand is true the range is widened to whole tick steps.
func linearScale(min, max float64, fixed, expand bool, p0, p1 float64) scale {
	if !fixed {
		if min == max {
			d := math.Abs(min) * 0.1
			if d == 0 {
				d = 1
			}
			min, max = min-d, max+d
		}
	}
	step := niceStep(max-min, targetTicks)
	if !fixed && expand {
		min = math.Floor(min/step+1e-9) * step
		max = math.Ceil(max/step-1e-9) * step
	}
	s := scale{lo: min, hi: max, p0: p0, p1: p1}
	s.ticks, s.tickLabels = linearTicks(min, max, step)
	return s
}

// logScale builds a base-10 scale over [min, max] (both > 0).
func logScale(min, max float64, fixed bool, p0, p1 float64) scale {
	lo, hi := math.Log10(min), math.Log10(max)
	if !fixed {
		lo, hi = math.Floor(lo+1e-9), math.Ceil(hi-1e-9)
		if lo == hi {
			lo, hi = lo-1, hi+1
		}
	}
	s := scale{lo: lo, hi: hi, p0: p0, p1: p1, log: true}
	kmin, kmax := int(math.Floor(lo+1e-9)), int(math.Ceil(hi-1e-9))
	stride := 1
	for (kmax-kmin)/stride > maxLogDecades {
		stride++
	}
	mult := []float64{1}
	if hi-lo <= 1.5 {
		mult = []float64{1, 2, 5}
	}
	for k := kmin; k <= kmax; k++ {
		if (k-kmin)%stride != 0 {
			continue
		}
		for _, m := range mult {
			v := m * math.Pow(10, float64(k))
			lv := math.Log10(v)
			if lv < lo-1e-9 || lv > hi+1e-9 {
				continue
			}
			s.ticks = append(s.ticks, v)
			s.tickLabels = append(s.tickLabels, logLabel(m, k))
		}
	}
	return s
}

func logLabel(m float64, k int) string {
	if k >= -3 && k <= 5 {
		return strconv.FormatFloat(m*math.Pow(10, float64(k)), 'f', max(0, -k), 64)
	}
	if m == 1 {
		return "1e" + strconv.Itoa(k)
	}
	return strconv.FormatFloat(m, 'f', 0, 64) + "e" + strconv.Itoa(k)
}

// axesSVG draws line, bars and scatter figures.
func axesSVG(fig results.Figure) (string, error) {
	names := false
	legendChars := 0
	for _, s := range fig.Series {
		if s.Name != "" {
			names = true
		}
		legendChars = max(legendChars, min(len([]rune(s.Name)), maxLegendChars))
	}
	right := float64(marginRight)
	if names {
		right += 28 + float64(legendChars)*charWidth + 8
	}
	left, top, bottom := float64(marginLeft), float64(marginTop), float64(Height-marginBottom)
	plotRight := float64(Width) - right

	// Data extents.
	var xe, ye extent
	for _, s := range fig.Series {
		for i := range s.X {
			if !finite(s.X[i]) {
				continue
			}
			if finite(s.Y[i]) && (!fig.LogY || s.Y[i] > 0) {
				xe.add(s.X[i], false)
				ye.add(s.Y[i], fig.LogY)
			}
			if s.Lower != nil {
				if finite(s.Lower[i]) && finite(s.Upper[i]) && (!fig.LogY || s.Lower[i] > 0) {
					xe.add(s.X[i], false)
					ye.add(s.Lower[i], fig.LogY)
					ye.add(s.Upper[i], fig.LogY)
				}
			}
		}
	}
	empty := ye.n == 0
	if empty {
		xe = extent{0, 1, 1}
		ye = extent{0, 1, 1}
		if fig.LogY {
			ye = extent{1, 10, 1}
		}
	}

	// Bars: width from the smallest x spacing.
	barW := 1.0
	if fig.Kind == results.KindBars {
		var xs []float64
		for _, s := range fig.Series {
			for _, x := range s.X {
				if finite(x) {
					xs = append(xs, x)
				}
			}
		}
		sort.Float64s(xs)
		gap := math.Inf(1)
		for i := 1; i < len(xs); i++ {
			if d := xs[i] - xs[i-1]; d > 0 && d < gap {
				gap = d
			}
		}
		if math.IsInf(gap, 1) {
			gap = 1
		}
		barW = gap
		if !fig.LogY && !empty {
			ye.add(0, false) // bars grow from zero
		}
	}

	// X scale.
	xFixed := fig.XMin < fig.XMax
	var xs scale
	switch {
	case xFixed:
		xs = linearScale(fig.XMin, fig.XMax, true, false, left, plotRight)
	case fig.Kind == results.KindBars:
		xs = linearScale(xe.min-barW/2, xe.max+barW/2, false, false, left, plotRight)
	case fig.Kind == results.KindScatter && xe.max > xe.min:
		pad := (xe.max - xe.min) * scatterPad
		xs = linearScale(xe.min-pad, xe.max+pad, false, false, left, plotRight)
	default:
		xs = linearScale(xe.min, xe.max, false, false, left, plotRight)
	}
	// Y scale.
	yFixed := fig.YMin < fig.YMax
	var ys scale
	switch {
	case fig.LogY && yFixed:
		ys = logScale(fig.YMin, fig.YMax, true, bottom, top)
	case fig.LogY:
		ys = logScale(ye.min, ye.max, false, bottom, top)
	case yFixed:
		ys = linearScale(fig.YMin, fig.YMax, true, false, bottom, top)
	default:
		ys = linearScale(ye.min, ye.max, false, true, bottom, top)
	}
	// Categorical x axis: category i at x = i+1, named instead of numbered.
	if len(fig.XCategories) > 0 {
		xs.ticks, xs.tickLabels = nil, nil
		for i, c := range fig.XCategories {
			xs.ticks = append(xs.ticks, float64(i+1))
			xs.tickLabels = append(xs.tickLabels, c)
		}
	}

	w := &svgWriter{}
	header(w, fig, Width, Height)
	id := figureID(fig)
	w.printf(`<defs><clipPath id="%s-clip"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath></defs>`+"\n",
		id, num(left), num(top), num(plotRight-left), num(bottom-top))

	// Grid, axes, ticks, labels.
	w.printf(`<g class="grid" stroke="#e5e5e5" stroke-width="1">` + "\n")
	for _, t := range xs.ticks {
		x := num(xs.px(t))
		w.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", x, num(top), x, num(bottom))
	}
	for _, t := range ys.ticks {
		y := num(ys.px(t))
		w.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", num(left), y, num(plotRight), y)
	}
	w.printf("</g>\n")
	w.printf(`<g class="axes" fill="#333333">` + "\n")
	w.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#888888"/>`+"\n", num(left), num(top), num(plotRight-left), num(bottom-top))
	for i, t := range xs.ticks {
		x := num(xs.px(t))
		w.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#888888"/>`, x, num(bottom), x, num(bottom+tickLen))
		w.printf(`<text x="%s" y="%s" text-anchor="middle">%s</text>`+"\n", x, num(bottom+tickLen+fontSize+1), esc(xs.tickLabels[i]))
	}
	for i, t := range ys.ticks {
		y := ys.px(t)
		w.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#888888"/>`, num(left-tickLen), num(y), num(left), num(y))
		w.printf(`<text x="%s" y="%s" text-anchor="end">%s</text>`+"\n", num(left-tickLen-3), num(y+fontSize*0.35), esc(ys.tickLabels[i]))
	}
	if fig.XLabel != "" {
		w.printf(`<text x="%s" y="%d" text-anchor="middle">%s</text>`+"\n", num((left+plotRight)/2), Height-12, esc(fig.XLabel))
	}
	if fig.YLabel != "" {
		cy := (top + bottom) / 2
		w.printf(`<text x="16" y="%s" text-anchor="middle" transform="rotate(-90 16 %s)">%s</text>`+"\n", num(cy), num(cy), esc(fig.YLabel))
	}
	if empty {
		w.printf(`<text x="%s" y="%s" text-anchor="middle" fill="#888888">no data</text>`+"\n", num((left+plotRight)/2), num((top+bottom)/2))
	}
	w.printf("</g>\n")

	// Series.
	w.printf(`<g clip-path="url(#%s-clip)">`+"\n", id)
	n := len(fig.Series)
	for si, s := range fig.Series {
		color := Palette[si%len(Palette)]
		w.printf(`<g class="series" data-name="%s">`+"\n", esc(s.Name))
		switch fig.Kind {
		case results.KindLine:
			drawBand(w, s, xs, ys, color)
			drawLine(w, s, xs, ys, color)
		case results.KindScatter:
			drawBand(w, s, xs, ys, color)
			w.printf(`<g fill="%s" fill-opacity="0.75" stroke="none">`, color)
			for i := range s.X {
				if xs.ok(s.X[i]) && ys.ok(s.Y[i]) {
					w.printf(`<circle cx="%s" cy="%s" r="%g"/>`, num(xs.px(s.X[i])), num(ys.px(s.Y[i])), pointRadius)
				}
			}
			w.printf("</g>\n")
		case results.KindBars:
			drawBars(w, s, si, n, barW, xs, ys, color)
		}
		w.printf("</g>\n")
	}
	w.printf("</g>\n")

	if names {
		drawLegend(w, fig, plotRight+12, top)
	}
	w.printf("</svg>\n")
	return w.String(), nil
}

// drawLine writes one polyline per run of drawable points.
func drawLine(w *svgWriter, s results.Series, xs, ys scale, color string) {
	var pts []string
	flush := func() {
		switch len(pts) {
		case 0:
		case 1: // an isolated point: show it as a dot
			xy := strings.Split(pts[0], ",")
			w.printf(`<circle cx="%s" cy="%s" r="%g" fill="%s"/>`+"\n", xy[0], xy[1], pointRadius, color)
		default:
			w.printf(`<polyline fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" points="%s"/>`+"\n", color, strings.Join(pts, " "))
		}
		pts = pts[:0]
	}
	for i := range s.X {
		if !xs.ok(s.X[i]) || !ys.ok(s.Y[i]) {
			flush()
			continue
		}
		pts = append(pts, num(xs.px(s.X[i]))+","+num(ys.px(s.Y[i])))
	}
	flush()
}

// drawBand writes one translucent polygon per run of drawable band points.
func drawBand(w *svgWriter, s results.Series, xs, ys scale, color string) {
	if s.Lower == nil {
		return
	}
	var up, lo []string
	flush := func() {
		if len(up) >= 2 {
			for i := len(lo) - 1; i >= 0; i-- {
				up = append(up, lo[i])
			}
			w.printf(`<polygon class="band" fill="%s" fill-opacity="%g" stroke="none" points="%s"/>`+"\n", color, bandOpacity, strings.Join(up, " "))
		}
		up, lo = up[:0], lo[:0]
	}
	for i := range s.X {
		if !xs.ok(s.X[i]) || !ys.ok(s.Lower[i]) || !ys.ok(s.Upper[i]) {
			flush()
			continue
		}
		x := num(xs.px(s.X[i]))
		up = append(up, x+","+num(ys.px(s.Upper[i])))
		lo = append(lo, x+","+num(ys.px(s.Lower[i])))
	}
	flush()
}

// drawBars draws series si of n side by side within each x slot.
func drawBars(w *svgWriter, s results.Series, si, n int, slot float64, xs, ys scale, color string) {
	bw := slot * barFill / float64(n)
	base := 0.0
	if ys.log {
		base = math.Pow(10, ys.lo)
	} else {
		base = math.Max(ys.lo, math.Min(ys.hi, 0))
	}
	pb := ys.px(base)
	w.printf(`<g fill="%s" stroke="none">`, color)
	for i := range s.X {
		if !xs.ok(s.X[i]) || !ys.ok(s.Y[i]) {
			continue
		}
		x0 := s.X[i] - slot*barFill/2 + float64(si)*bw
		px0, px1 := xs.px(x0), xs.px(x0+bw)
		py := ys.px(s.Y[i])
		y, h := math.Min(py, pb), math.Abs(py-pb)
		w.printf(`<rect x="%s" y="%s" width="%s" height="%s"/>`, num(px0), num(y), num(math.Max(px1-px0, 0.5)), num(h))
	}
	w.printf("</g>\n")
}

func drawLegend(w *svgWriter, fig results.Figure, x, y float64) {
	w.printf(`<g class="legend" fill="#333333">` + "\n")
	for i, s := range fig.Series {
		color := Palette[i%len(Palette)]
		cy := y + 8 + float64(i)*(fontSize+6)
		switch fig.Kind {
		case results.KindLine:
			w.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2"/>`, num(x), num(cy), num(x+20), num(cy), color)
		case results.KindScatter:
			w.printf(`<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`, num(x+10), num(cy), color)
		default:
			w.printf(`<rect x="%s" y="%s" width="14" height="10" fill="%s"/>`, num(x+3), num(cy-5), color)
		}
		name := []rune(s.Name)
		if len(name) > maxLegendChars {
			name = append(name[:maxLegendChars-1], '…')
		}
		w.printf(`<text x="%s" y="%s">%s</text>`+"\n", num(x+26), num(cy+fontSize*0.35), esc(string(name)))
	}
	w.printf("</g>\n")
}

// imagesSVG lays image panels out in rows with their titles above.
func imagesSVG(fig results.Figure) (string, error) {
	type panel struct {
		w, h  float64
		data  string
		title string
	}
	panels := make([]panel, 0, len(fig.Images))
	cellW, cellH := 0.0, 0.0
	for i, p := range fig.Images {
		g := p.Image
		if g == nil {
			return "", fmt.Errorf("figure %q: image panel %d (%q) has no image", fig.Name, i, p.Title)
		}
		if g.Width <= 0 || g.Height <= 0 || g.Width*g.Height > maxImagePixels || g.Check() != nil {
			return "", fmt.Errorf("figure %q: image panel %d (%q): bad image %dx%d with %d pixels", fig.Name, i, p.Title, g.Width, g.Height, len(g.Pix))
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, g.ToImage()); err != nil {
			return "", fmt.Errorf("figure %q: image panel %d (%q): encoding PNG: %w", fig.Name, i, p.Title, err)
		}
		long := float64(max(g.Width, g.Height))
		side := math.Min(math.Max(long, imageMinSide), imageMaxSide)
		pw, ph := float64(g.Width)*side/long, float64(g.Height)*side/long
		cellW, cellH = math.Max(cellW, pw), math.Max(cellH, ph)
		panels = append(panels, panel{pw, ph, base64.StdEncoding.EncodeToString(buf.Bytes()), p.Title})
	}
	cols := min(max(len(panels), 1), imageMaxColumns)
	rows := (len(panels) + cols - 1) / cols
	top := float64(imageGap)
	if fig.Title != "" {
		top = marginTop
	}
	if len(panels) == 0 {
		cellW, cellH, rows = imageMinSide, imageMinSide/2, 1
	}
	width := int(math.Ceil(float64(cols)*(cellW+imageGap) + imageGap))
	height := int(math.Ceil(top + float64(rows)*(cellH+imageTitleH+imageGap)))
	width = max(width, 2*imageMinSide)

	w := &svgWriter{}
	header(w, fig, width, height)
	if len(panels) == 0 {
		w.printf(`<text x="%d" y="%s" text-anchor="middle" fill="#888888">no images</text>`+"\n", width/2, num(top+cellH/2))
	}
	for i, p := range panels {
		c, r := i%cols, i/cols
		x0 := imageGap + float64(c)*(cellW+imageGap)
		y0 := top + float64(r)*(cellH+imageTitleH+imageGap)
		x := x0 + (cellW-p.w)/2
		y := y0 + imageTitleH
		w.printf(`<g class="panel">`)
		w.printf(`<text x="%s" y="%s" text-anchor="middle" fill="#222222">%s</text>`, num(x0+cellW/2), num(y0+fontSize+2), esc(p.title))
		w.printf(`<image x="%s" y="%s" width="%s" height="%s" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,%s"/>`,
			num(x), num(y), num(p.w), num(p.h), p.data)
		w.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#888888"/>`, num(x), num(y), num(p.w), num(p.h))
		w.printf("</g>\n")
	}
	w.printf("</svg>\n")
	return w.String(), nil
}
