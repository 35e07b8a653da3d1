package plot

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// elem is a parsed XML element with its attributes and direct text.
type elem struct {
	name  string
	attrs map[string]string
	text  string
}

// parseSVG parses s strictly and returns its elements in document order.
func parseSVG(t *testing.T, s string) []elem {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var out []elem
	var stack []int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := elem{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].text += string(tok)
			}
		}
	}
	if len(out) == 0 || out[0].name != "svg" {
		t.Fatalf("root element is not <svg>")
	}
	return out
}

func count(es []elem, name, class string) int {
	n := 0
	for _, e := range es {
		if e.name == name && (class == "" || e.attrs["class"] == class) {
			n++
		}
	}
	return n
}

func mustRender(t *testing.T, fig results.Figure) (string, []elem) {
	t.Helper()
	s, err := SVG(fig)
	if err != nil {
		t.Fatalf("SVG(%q): %v", fig.Name, err)
	}
	return s, parseSVG(t, s)
}

func TestKindsParseAndCountSeries(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4}
	for _, kind := range []results.FigureKind{results.KindLine, results.KindBars, results.KindScatter} {
		fig := results.Figure{Name: "f", Title: "T", Kind: kind, XLabel: "x", YLabel: "y", Series: []results.Series{
			{Name: "a", X: xs, Y: []float64{1, 2, 3, 2, 1}},
			{Name: "b", X: xs, Y: []float64{3, 1, 4, 1, 5}},
			{Name: "c", X: xs, Y: []float64{-1, 0, 1, 0, -1}},
		}}
		s, es := mustRender(t, fig)
		if got := count(es, "g", "series"); got != 3 {
			t.Errorf("%s: %d series groups, want 3", kind, got)
		}
		root := es[0]
		if root.attrs["width"] != "640" || root.attrs["height"] != "400" || root.attrs["viewBox"] != "0 0 640 400" {
			t.Errorf("%s: root attributes %v", kind, root.attrs)
		}
		if strings.Count(s, "http") != 1 || !strings.Contains(s, `xmlns="http://www.w3.org/2000/svg"`) {
			t.Errorf("%s: SVG references a URL other than its namespace", kind)
		}
		if count(es, "g", "legend") != 1 {
			t.Errorf("%s: no legend", kind)
		}
		switch kind {
		case results.KindLine:
			if got := count(es, "polyline", ""); got != 3 {
				t.Errorf("line: %d polylines, want 3", got)
			}
		case results.KindScatter:
			if got := count(es, "circle", ""); got != 15+3 { // points + legend markers
				t.Errorf("scatter: %d circles, want 18", got)
			}
		case results.KindBars:
			// 15 bars, of which two have zero height but are still drawn, + 3 legend swatches.
			if got := count(es, "rect", ""); got < 15+3 {
				t.Errorf("bars: %d rects, want ≥ 18", got)
			}
		}
	}
}

func TestEscapesText(t *testing.T) {
	title := `a < b && c > "d" 'e'`
	fig := results.Figure{Name: "esc", Title: title, Kind: results.KindLine, XLabel: "<x>", YLabel: "&y",
		Series: []results.Series{{Name: "<s&>", X: []float64{0, 1}, Y: []float64{0, 1}}}}
	s, es := mustRender(t, fig)
	if strings.Contains(s, "a < b") || strings.Contains(s, "<s&>") {
		t.Fatalf("raw markup characters in output")
	}
	var texts []string
	for _, e := range es {
		if e.name == "text" || e.name == "title" {
			texts = append(texts, e.text)
		}
	}
	joined := strings.Join(texts, "\n")
	for _, want := range []string{title, "<x>", "&y", "<s&>"} {
		if !strings.Contains(joined, want) {
			t.Errorf("text %q not found after parsing; texts: %q", want, texts)
		}
	}
	if got := count(es, "g", "series"); got != 1 || es[0].attrs["aria-label"] != title {
		t.Errorf("series=%d aria-label=%q", got, es[0].attrs["aria-label"])
	}
}

func TestNaNAndEmpty(t *testing.T) {
	nan := math.NaN()
	// A NaN in the middle breaks the line in two; NaN x is skipped too.
	fig := results.Figure{Name: "nan", Kind: results.KindLine, Series: []results.Series{
		{X: []float64{0, 1, 2, 3, 4, nan}, Y: []float64{1, 2, nan, 3, 4, 5}},
		{Name: "empty"},
	}}
	s, es := mustRender(t, fig)
	if got := count(es, "polyline", ""); got != 2 {
		t.Errorf("%d polylines, want 2 (line broken at NaN)", got)
	}
	if count(es, "g", "series") != 2 {
		t.Errorf("empty series must still get a group")
	}
	if strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Errorf("NaN/Inf leaked into coordinates")
	}

	// Scatter: NaN and Inf points are skipped.
	fig = results.Figure{Name: "sc", Kind: results.KindScatter, Series: []results.Series{
		{X: []float64{0, 1, 2, math.Inf(1)}, Y: []float64{1, nan, 3, 4}}}}
	_, es = mustRender(t, fig)
	if got := count(es, "circle", ""); got != 2 {
		t.Errorf("scatter: %d circles, want 2", got)
	}

	// No series at all, or only NaN: empty axes with a note.
	for _, f := range []results.Figure{
		{Name: "none", Kind: results.KindBars},
		{Name: "allnan", Kind: results.KindLine, LogY: true, Series: []results.Series{{X: []float64{nan}, Y: []float64{nan}}}},
	} {
		s, _ := mustRender(t, f)
		if !strings.Contains(s, ">no data<") {
			t.Errorf("%s: no 'no data' note", f.Name)
		}
	}
}

func TestBand(t *testing.T) {
	nan := math.NaN()
	fig := results.Figure{Name: "band", Kind: results.KindLine, Series: []results.Series{{
		Name: "mean", X: []float64{0, 1, 2, 3, 4, 5}, Y: []float64{1, 2, 3, 4, 5, 6},
		Lower: []float64{0, 1, 2, nan, 4, 5}, Upper: []float64{2, 3, 4, 5, 6, 7},
	}}}
	_, es := mustRender(t, fig)
	if got := count(es, "polygon", "band"); got != 2 {
		t.Errorf("%d band polygons, want 2 (split at the NaN lower bound)", got)
	}
	for _, e := range es {
		if e.name == "polygon" && e.attrs["fill-opacity"] == "" {
			t.Errorf("band is not translucent")
		}
	}
}

func TestLogY(t *testing.T) {
	fig := results.Figure{Name: "log", Kind: results.KindScatter, LogY: true, Series: []results.Series{
		{X: []float64{1, 2, 3, 4}, Y: []float64{0.01, 0, -5, 1000}}}}
	_, es := mustRender(t, fig)
	if got := count(es, "circle", ""); got != 2 {
		t.Errorf("%d circles, want 2 (non-positive values skipped)", got)
	}
	var labels []string
	for _, e := range es {
		if e.name == "text" && e.attrs["text-anchor"] == "end" {
			labels = append(labels, e.text)
		}
	}
	if strings.Join(labels, " ") != "0.01 0.1 1 10 100 1000" {
		t.Errorf("log tick labels %q", labels)
	}

	fig.YMin, fig.YMax = 0, 10
	if _, err := SVG(fig); err == nil || !strings.Contains(err.Error(), `"log"`) {
		t.Errorf("fixed log range with YMin=0: err=%v, want an error naming the figure", err)
	}
	fig.YMin, fig.YMax = 1, 10
	if _, err := SVG(fig); err != nil {
		t.Errorf("valid fixed log range: %v", err)
	}
}

func TestFixedRangeAndTicks(t *testing.T) {
	fig := results.Figure{Name: "fixed", Kind: results.KindLine, XMin: 0, XMax: 255, YMin: 99, YMax: 100,
		Series: []results.Series{{X: []float64{0, 300}, Y: []float64{99.5, 101}}}}
	_, es := mustRender(t, fig)
	var ylabels []string
	for _, e := range es {
		if e.name == "text" && e.attrs["text-anchor"] == "end" {
			ylabels = append(ylabels, e.text)
		}
	}
	if got := strings.Join(ylabels, " "); got != "99.0 99.2 99.4 99.6 99.8 100.0" {
		t.Errorf("y tick labels %q", got)
	}
	// Data outside the fixed range is clipped, not dropped.
	found := false
	for _, e := range es {
		if e.name == "g" && strings.HasPrefix(e.attrs["clip-path"], "url(#ncplot-") {
			found = true
		}
	}
	if !found {
		t.Errorf("series are not clipped to the plot area")
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{0, 255, "0 50 100 150 200 250"},
		{-1, 1, "-1.0 -0.5 0.0 0.5 1.0"},
		{0, 15, "0.0 2.5 5.0 7.5 10.0 12.5 15.0"},
		{0.001, 0.002, "0.0010 0.0012 0.0014 0.0016 0.0018 0.0020"},
		{0, 1e7, "0 2e6 4e6 6e6 8e6 1e7"},
	} {
		s := linearScale(c.lo, c.hi, true, false, 0, 100)
		if got := strings.Join(s.tickLabels, " "); got != c.want {
			t.Errorf("ticks over [%g,%g] = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}

func TestImages(t *testing.T) {
	small := imageio.NewGray(32, 32)
	for i := range small.Pix {
		small.Pix[i] = uint8(i)
	}
	big := imageio.NewGray(512, 256)
	fig := results.Figure{Name: "img", Title: "Plain & cipher", Kind: results.KindImages, Images: []results.ImagePanel{
		{Title: "plain <1>", Image: small}, {Title: "cipher", Image: big}, {Title: "c", Image: small}, {Title: "d", Image: small}, {Title: "e", Image: small},
	}}
	s, es := mustRender(t, fig)
	if got := count(es, "g", "panel"); got != 5 {
		t.Errorf("%d panels, want 5", got)
	}
	for _, e := range es {
		if e.name == "image" && !strings.HasPrefix(e.attrs["href"], "data:image/png;base64,") {
			t.Errorf("image href is not a PNG data URI: %.40q", e.attrs["href"])
		}
	}
	if !strings.Contains(s, "plain &lt;1&gt;") {
		t.Errorf("panel title not escaped")
	}

	if _, err := SVG(results.Figure{Name: "bad", Kind: results.KindImages, Images: []results.ImagePanel{{Title: "x"}}}); err == nil {
		t.Errorf("nil image: no error")
	}
	broken := &imageio.Gray{Width: 4, Height: 4, Pix: make([]uint8, 3)}
	if _, err := SVG(results.Figure{Name: "bad", Kind: results.KindImages, Images: []results.ImagePanel{{Title: "x", Image: broken}}}); err == nil {
		t.Errorf("inconsistent image: no error")
	}
	if s, _ := mustRender(t, results.Figure{Name: "none", Kind: results.KindImages}); !strings.Contains(s, "no images") {
		t.Errorf("empty image figure has no note")
	}
}

func TestErrors(t *testing.T) {
	for _, fig := range []results.Figure{
		{Name: "kind", Kind: "pie"},
		{Name: "len", Kind: results.KindLine, Series: []results.Series{{X: []float64{1, 2}, Y: []float64{1}}}},
		{Name: "band", Kind: results.KindLine, Series: []results.Series{{X: []float64{1}, Y: []float64{1}, Lower: []float64{0}}}},
		{Name: "bandlen", Kind: results.KindLine, Series: []results.Series{{X: []float64{1}, Y: []float64{1}, Lower: []float64{0, 1}, Upper: []float64{2, 3}}}},
	} {
		if _, err := SVG(fig); err == nil || !strings.Contains(err.Error(), `"`+fig.Name+`"`) {
			t.Errorf("%s: err=%v, want an error naming the figure", fig.Name, err)
		}
	}
}

func TestDeterministicAndUniqueIDs(t *testing.T) {
	a := results.Figure{Name: "a", Kind: results.KindLine, Series: []results.Series{{X: []float64{0, 1}, Y: []float64{0, 1}}}}
	b := a
	b.Name = "b"
	if MustSVG(a) != MustSVG(a) {
		t.Errorf("rendering is not deterministic")
	}
	if figureID(a) == figureID(b) {
		t.Errorf("different figures share a clip-path id")
	}
}

func TestControlCharactersDropped(t *testing.T) {
	fig := results.Figure{Name: "ctl", Title: "bell\x07 and \x00nul", Kind: results.KindBars,
		Series: []results.Series{{X: []float64{1}, Y: []float64{2}}}}
	_, es := mustRender(t, fig) // would fail to parse if control characters were kept
	if count(es, "g", "series") != 1 {
		t.Errorf("series missing")
	}
}

func TestCategoricalXAxis(t *testing.T) {
	fig := results.Figure{Name: "cats", Kind: results.KindBars, XCategories: []string{"hopfield", "aes-ctr", "a<b"},
		Series: []results.Series{{Name: "s", X: []float64{1, 2, 3}, Y: []float64{5, 6, 7}}}}
	_, es := mustRender(t, fig)
	var xlabels []string
	for _, e := range es {
		if e.name == "text" && e.attrs["text-anchor"] == "middle" && e.text != "" {
			xlabels = append(xlabels, e.text)
		}
	}
	if got := strings.Join(xlabels, " "); !strings.Contains(got, "hopfield aes-ctr a<b") {
		t.Errorf("x labels %q, want the categories in order", got)
	}
}
