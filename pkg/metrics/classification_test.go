package metrics

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// fromRows returns a confusion matrix with the given counts (rows true
// classes, columns predictions), filled sample by sample through AddAll.
func fromRows(t *testing.T, rows [][]int) *Confusion {
	t.Helper()
	c, err := NewConfusion(len(rows))
	if err != nil {
		t.Fatal(err)
	}
	var truth, pred []int
	for tr, row := range rows {
		for p, n := range row {
			for range n {
				truth = append(truth, tr)
				pred = append(pred, p)
			}
		}
	}
	if err := c.AddAll(truth, pred); err != nil {
		t.Fatal(err)
	}
	if got := c.Rows(); !slices.EqualFunc(got, rows, slices.Equal) {
		t.Fatalf("Rows() = %v, want %v", got, rows)
	}
	return c
}

// scores is what a confusion matrix should report.
type scores struct {
	acc, macroP, macroR, macroF1 float64
	p, r, f1                     []float64 // per class
}

func checkScores(t *testing.T, c *Confusion, want scores) {
	t.Helper()
	const tol = 1e-15
	near(t, "Accuracy", c.Accuracy(), want.acc, tol)
	near(t, "MacroPrecision", c.MacroPrecision(), want.macroP, tol)
	near(t, "MacroRecall", c.MacroRecall(), want.macroR, tol)
	near(t, "MacroF1", c.MacroF1(), want.macroF1, tol)
	for cl := range c.K() {
		near(t, fmt.Sprintf("Precision(%d)", cl), c.Precision(cl), want.p[cl], tol)
		near(t, fmt.Sprintf("Recall(%d)", cl), c.Recall(cl), want.r[cl], tol)
		near(t, fmt.Sprintf("F1(%d)", cl), c.F1(cl), want.f1[cl], tol)
	}
}

// TestConfusionBinary: class 1 is the positive class, TP=5 FN=3 FP=2
// TN=10, 20 samples.
//
//	           pred 0  pred 1
//	true 0       10       2     (TN, FP)
//	true 1        3       5     (FN, TP)
//
// Accuracy (10+5)/20 = 3/4.
// Class 1: P = 5/(5+2) = 5/7, R = 5/(5+3) = 5/8, F1 = 10/(10+2+3) = 2/3.
// Class 0: P = 10/(10+3) = 10/13, R = 10/(10+2) = 5/6, F1 = 20/(20+3+2) = 4/5.
// Macro: P = (5/7 + 10/13)/2 = 135/182, R = (5/8 + 5/6)/2 = 35/48,
// F1 = (2/3 + 4/5)/2 = 11/15.
func TestConfusionBinary(t *testing.T) {
	c := fromRows(t, [][]int{{10, 2}, {3, 5}})
	if c.Total() != 20 || c.Count(1, 1) != 5 || c.Count(1, 0) != 3 || c.Count(0, 1) != 2 || c.Count(0, 0) != 10 {
		t.Fatalf("counts %v, total %d", c.Rows(), c.Total())
	}
	checkScores(t, c, scores{
		acc: 3.0 / 4, macroP: 135.0 / 182, macroR: 35.0 / 48, macroF1: 11.0 / 15,
		p:  []float64{10.0 / 13, 5.0 / 7},
		r:  []float64{5.0 / 6, 5.0 / 8},
		f1: []float64{4.0 / 5, 2.0 / 3},
	})
	// Macro F1 is the mean of the F1s, not the F1 of the macro P and R:
	// 2·(135/182)(35/48)/(135/182 + 35/48) ≈ 0.7355 ≠ 11/15 ≈ 0.7333.
	p, r := c.MacroPrecision(), c.MacroRecall()
	if math.Abs(2*p*r/(p+r)-c.MacroF1()) < 1e-3 {
		t.Error("MacroF1 looks like the F1 of the macro precision and recall")
	}
	n := c.Normalized()
	want := [][]float64{{10.0 / 12, 2.0 / 12}, {3.0 / 8, 5.0 / 8}}
	for i := range want {
		for j := range want[i] {
			near(t, fmt.Sprintf("Normalized[%d][%d]", i, j), n[i][j], want[i][j], 1e-15)
		}
	}
}

// TestConfusionNeverPredicted: class 2 is present (2 samples) but never
// predicted.
//
//	           pred 0  pred 1  pred 2
//	true 0        4       1       0
//	true 1        1       3       0
//	true 2        1       1       0
//
// Accuracy (4+3)/11 = 7/11.
// Class 0: P = 4/6 = 2/3, R = 4/5, F1 = 8/(8+2+1) = 8/11.
// Class 1: P = 3/5, R = 3/4, F1 = 6/(6+2+1) = 2/3.
// Class 2: P = 0 (never predicted: zero_division=0), R = 0/2 = 0, F1 = 0.
// Macro: P = (2/3 + 3/5 + 0)/3 = 19/45, R = (4/5 + 3/4 + 0)/3 = 31/60,
// F1 = (8/11 + 2/3 + 0)/3 = 46/99.
func TestConfusionNeverPredicted(t *testing.T) {
	c := fromRows(t, [][]int{{4, 1, 0}, {1, 3, 0}, {1, 1, 0}})
	checkScores(t, c, scores{
		acc: 7.0 / 11, macroP: 19.0 / 45, macroR: 31.0 / 60, macroF1: 46.0 / 99,
		p:  []float64{2.0 / 3, 3.0 / 5, 0},
		r:  []float64{4.0 / 5, 3.0 / 4, 0},
		f1: []float64{8.0 / 11, 2.0 / 3, 0},
	})
}

// TestConfusionNeverPresent: class 2 is predicted twice but never present,
// and class 3 is neither present nor predicted.
//
//	           pred 0  pred 1  pred 2  pred 3
//	true 0        3       0       1       0
//	true 1        0       2       1       0
//	true 2        0       0       0       0
//	true 3        0       0       0       0
//
// Accuracy 5/7.
// Class 0: P = 3/3 = 1, R = 3/4, F1 = 6/(6+0+1) = 6/7.
// Class 1: P = 2/2 = 1, R = 2/3, F1 = 4/(4+0+1) = 4/5.
// Class 2: P = 0/2 = 0, R = 0 (never present: zero_division=0), F1 = 0/2 = 0.
// Class 3: P = R = F1 = 0 (0/0 each: zero_division=0).
// Macro over all 4 classes: P = 2/4 = 1/2, R = (3/4 + 2/3)/4 = 17/48,
// F1 = (6/7 + 4/5)/4 = 29/70.
func TestConfusionNeverPresent(t *testing.T) {
	c := fromRows(t, [][]int{{3, 0, 1, 0}, {0, 2, 1, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}})
	checkScores(t, c, scores{
		acc: 5.0 / 7, macroP: 1.0 / 2, macroR: 17.0 / 48, macroF1: 29.0 / 70,
		p:  []float64{1, 1, 0, 0},
		r:  []float64{3.0 / 4, 2.0 / 3, 0, 0},
		f1: []float64{6.0 / 7, 4.0 / 5, 0, 0},
	})
	// Rows of absent classes normalise to zeros, not NaN.
	n := c.Normalized()
	if !slices.Equal(n[2], []float64{0, 0, 0, 0}) || !slices.Equal(n[3], []float64{0, 0, 0, 0}) {
		t.Errorf("Normalized rows of absent classes = %v, %v; want zeros", n[2], n[3])
	}
	near(t, "Normalized[0][2]", n[0][2], 1.0/4, 1e-15)
}

// TestConfusionPerfect: a diagonal matrix scores 1 everywhere, and its
// normalised matrix is the identity.
func TestConfusionPerfect(t *testing.T) {
	c := fromRows(t, [][]int{{3, 0, 0}, {0, 5, 0}, {0, 0, 1}})
	ones := []float64{1, 1, 1}
	checkScores(t, c, scores{acc: 1, macroP: 1, macroR: 1, macroF1: 1, p: ones, r: ones, f1: ones})
	for i, row := range c.Normalized() {
		for j, v := range row {
			if want := float64(b2i(i == j)); v != want {
				t.Errorf("Normalized[%d][%d] = %v, want %v", i, j, v, want)
			}
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestConfusionOneClassPredictor: every sample is predicted as class 1.
// Truth 0,0,1,1,1,2.
//
//	           pred 0  pred 1  pred 2
//	true 0        0       2       0
//	true 1        0       3       0
//	true 2        0       1       0
//
// Accuracy 3/6 = 1/2.
// Class 1: P = 3/6 = 1/2, R = 3/3 = 1, F1 = 6/(6+3+0) = 2/3.
// Classes 0 and 2: never predicted, P = 0, R = 0, F1 = 0.
// Macro: P = (1/2)/3 = 1/6, R = 1/3, F1 = (2/3)/3 = 2/9.
func TestConfusionOneClassPredictor(t *testing.T) {
	c, err := NewConfusion(3)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddAll([]int{0, 0, 1, 1, 1, 2}, []int{1, 1, 1, 1, 1, 1}); err != nil {
		t.Fatal(err)
	}
	checkScores(t, c, scores{
		acc: 1.0 / 2, macroP: 1.0 / 6, macroR: 1.0 / 3, macroF1: 2.0 / 9,
		p:  []float64{0, 1.0 / 2, 0},
		r:  []float64{0, 1, 0},
		f1: []float64{0, 2.0 / 3, 0},
	})
}

// TestConfusionEmpty: with no samples, accuracy and the macro averages
// are NaN (undefined); per-class scores are 0 (zero_division=0) and the
// normalised matrix is zeros.
func TestConfusionEmpty(t *testing.T) {
	c, err := NewConfusion(2)
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	checkScores(t, c, scores{acc: nan, macroP: nan, macroR: nan, macroF1: nan, p: []float64{0, 0}, r: []float64{0, 0}, f1: []float64{0, 0}})
	if c.Total() != 0 || c.K() != 2 {
		t.Errorf("Total %d, K %d", c.Total(), c.K())
	}
	if n := c.Normalized(); !slices.Equal(n[0], []float64{0, 0}) || !slices.Equal(n[1], []float64{0, 0}) {
		t.Errorf("Normalized() = %v", n)
	}
	if err := c.AddAll(nil, nil); err != nil || c.Total() != 0 {
		t.Errorf("AddAll(nil, nil) = %v, Total %d", err, c.Total())
	}
}

// TestConfusionAddAndRowsCopy: Add counts one sample; Rows is a copy.
func TestConfusionAddAndRowsCopy(t *testing.T) {
	c, _ := NewConfusion(2)
	for _, s := range [][2]int{{0, 0}, {0, 1}, {1, 1}, {1, 1}} {
		if err := c.Add(s[0], s[1]); err != nil {
			t.Fatal(err)
		}
	}
	rows := c.Rows()
	if !slices.EqualFunc(rows, [][]int{{1, 1}, {0, 2}}, slices.Equal) || c.Total() != 4 {
		t.Fatalf("Rows() = %v, Total %d", rows, c.Total())
	}
	rows[0][0] = 99
	if c.Count(0, 0) != 1 {
		t.Error("changing Rows' result changed the matrix")
	}
}

// TestConfusionErrors: bad sizes and classes are one-line errors naming
// the value; a failed Add or AddAll counts nothing; accessors panic on a
// class out of range.
func TestConfusionErrors(t *testing.T) {
	for _, k := range []int{-1, 0, 1, MaxClasses + 1} {
		if _, err := NewConfusion(k); err == nil || !strings.Contains(err.Error(), fmt.Sprint(k)) {
			t.Errorf("NewConfusion(%d): error %v", k, err)
		}
	}
	if _, err := NewConfusion(MaxClasses); err != nil {
		t.Errorf("NewConfusion(%d): %v", MaxClasses, err)
	}
	c, _ := NewConfusion(3)
	for _, s := range []struct {
		t, p int
		want string
	}{
		{-1, 0, "true class -1 is outside 0..2"},
		{3, 0, "true class 3 is outside 0..2"},
		{0, -2, "predicted class -2 is outside 0..2"},
		{0, 7, "predicted class 7 is outside 0..2"},
	} {
		if err := c.Add(s.t, s.p); err == nil || !strings.Contains(err.Error(), s.want) {
			t.Errorf("Add(%d, %d): error %v, want %q", s.t, s.p, err, s.want)
		}
	}
	if err := c.AddAll([]int{0, 1}, []int{0}); err == nil || !strings.Contains(err.Error(), "2 true classes but 1 predictions") {
		t.Errorf("AddAll with lengths 2 and 1: error %v", err)
	}
	if err := c.AddAll([]int{0, 1, 2}, []int{0, 1, 5}); err == nil || !strings.Contains(err.Error(), "sample 2: metrics: predicted class 5 is outside 0..2") {
		t.Errorf("AddAll with prediction 5: error %v", err)
	}
	if c.Total() != 0 || !slices.EqualFunc(c.Rows(), [][]int{{0, 0, 0}, {0, 0, 0}, {0, 0, 0}}, slices.Equal) {
		t.Errorf("failed adds counted samples: %v, total %d", c.Rows(), c.Total())
	}
	if err := (&Confusion{}).Add(0, 0); err == nil {
		t.Error("the zero Confusion accepted a sample")
	}
	for name, f := range map[string]func(){
		"Count(3, 0)":  func() { c.Count(3, 0) },
		"Count(0, -1)": func() { c.Count(0, -1) },
		"Precision(3)": func() { c.Precision(3) },
		"Recall(-1)":   func() { c.Recall(-1) },
		"F1(4)":        func() { c.F1(4) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
