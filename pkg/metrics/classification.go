package metrics

import (
	"fmt"
	"math"
)

// MaxClasses bounds the number of classes of a Confusion (a 1024×1024
// matrix holds 8 MiB of counts).
const MaxClasses = 1024

// Confusion is a K×K confusion matrix of a K-class classifier: Count(t, p)
// is the number of samples of true class t predicted as class p (rows are
// true classes, columns predictions; scikit-learn's confusion_matrix
// layout). Classes are 0..K−1. Make one with NewConfusion; the zero value
// has no classes and refuses every sample.
//
// Per-class scores follow scikit-learn's precision_recall_fscore_support
// with labels = 0..K−1 and zero_division=0: a class never predicted has
// precision 0, a class never present has recall 0, and F1 is
// 2·TP / (2·TP + FP + FN) (the harmonic mean of precision and recall), 0
// when that is 0/0. Macro averages are unweighted means over all K
// classes, including classes absent from both truth and predictions
// (which score 0). Accuracy and the macro averages of an empty matrix
// (no samples) are NaN: there is nothing to measure.
//
// The methods taking a class (Count, Precision, Recall, F1) panic when it
// is outside 0..K−1, like indexing a slice: class numbers come from the
// program, not from data (Add and AddAll, which take data, return errors).
type Confusion struct {
	k      int
	counts []int // k×k, row-major: counts[t*k+p]
	total  int
}

// NewConfusion returns an empty K×K confusion matrix for k classes,
// 2 ≤ k ≤ MaxClasses.
func NewConfusion(k int) (*Confusion, error) {
	if k < 2 || k > MaxClasses {
		return nil, fmt.Errorf("metrics: %d classes is outside 2..%d", k, MaxClasses)
	}
	return &Confusion{k: k, counts: make([]int, k*k)}, nil
}

// K is the number of classes.
func (c *Confusion) K() int { return c.k }

// checkClass returns an error unless v is a class of c; what names v.
func (c *Confusion) checkClass(what string, v int) error {
	if v < 0 || v >= c.k {
		return fmt.Errorf("metrics: %s class %d is outside 0..%d", what, v, c.k-1)
	}
	return nil
}

// mustClass panics unless v is a class of c.
func (c *Confusion) mustClass(v int) {
	if err := c.checkClass("the", v); err != nil {
		panic(err.Error())
	}
}

// Add counts one sample of true class trueClass predicted as predicted. An
// error names a class outside 0..K−1; nothing is counted then.
func (c *Confusion) Add(trueClass, predicted int) error {
	if err := c.checkClass("true", trueClass); err != nil {
		return err
	}
	if err := c.checkClass("predicted", predicted); err != nil {
		return err
	}
	c.counts[trueClass*c.k+predicted]++
	c.total++
	return nil
}

// AddAll counts the samples truth[i] predicted as pred[i]. It returns an
// error, and counts nothing, when the lengths differ or a class is outside
// 0..K−1 (the error names the sample's index and the class).
func (c *Confusion) AddAll(truth, pred []int) error {
	if len(truth) != len(pred) {
		return fmt.Errorf("metrics: %d true classes but %d predictions", len(truth), len(pred))
	}
	for i := range truth {
		if err := c.checkClass("true", truth[i]); err != nil {
			return fmt.Errorf("sample %d: %w", i, err)
		}
		if err := c.checkClass("predicted", pred[i]); err != nil {
			return fmt.Errorf("sample %d: %w", i, err)
		}
	}
	for i, t := range truth {
		c.counts[t*c.k+pred[i]]++
	}
	c.total += len(truth)
	return nil
}

// Count is the number of samples of true class t predicted as p.
func (c *Confusion) Count(t, p int) int {
	c.mustClass(t)
	c.mustClass(p)
	return c.counts[t*c.k+p]
}

// Total is the number of samples counted.
func (c *Confusion) Total() int { return c.total }

// Accuracy is the fraction of samples predicted correctly, trace / Total,
// in [0, 1]; NaN for an empty matrix.
func (c *Confusion) Accuracy() float64 {
	if c.total == 0 {
		return math.NaN()
	}
	correct := 0
	for i := range c.k {
		correct += c.counts[i*c.k+i]
	}
	return float64(correct) / float64(c.total)
}

// tally returns class cl's true positives, false positives (other classes
// predicted as cl) and false negatives (cl predicted as another class).
func (c *Confusion) tally(cl int) (tp, fp, fn int) {
	c.mustClass(cl)
	tp = c.counts[cl*c.k+cl]
	for i := range c.k {
		if i != cl {
			fp += c.counts[i*c.k+cl]
			fn += c.counts[cl*c.k+i]
		}
	}
	return tp, fp, fn
}

// ratio is n/d, 0 when d is 0 (scikit-learn's zero_division=0).
func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Precision of class cl is TP / (TP + FP), the fraction of the samples
// predicted as cl that are cl, in [0, 1]; 0 when cl is never predicted
// (scikit-learn's zero_division=0).
func (c *Confusion) Precision(cl int) float64 {
	tp, fp, _ := c.tally(cl)
	return ratio(tp, tp+fp)
}

// Recall of class cl is TP / (TP + FN), the fraction of the samples of
// class cl predicted as cl, in [0, 1]; 0 when cl is never present
// (scikit-learn's zero_division=0).
func (c *Confusion) Recall(cl int) float64 {
	tp, _, fn := c.tally(cl)
	return ratio(tp, tp+fn)
}

// F1 of class cl is the harmonic mean of its precision and recall,
// computed as 2·TP / (2·TP + FP + FN), in [0, 1]; 0 when the class is
// neither predicted nor present (scikit-learn's f1_score, zero_division=0).
func (c *Confusion) F1(cl int) float64 {
	tp, fp, fn := c.tally(cl)
	return ratio(2*tp, 2*tp+fp+fn)
}

// macro is the mean of f over the K classes, NaN for an empty matrix.
func (c *Confusion) macro(f func(int) float64) float64 {
	if c.total == 0 {
		return math.NaN()
	}
	s := 0.0
	for i := range c.k {
		s += f(i)
	}
	return s / float64(c.k)
}

// MacroPrecision is the unweighted mean of Precision over the K classes
// (scikit-learn's average='macro'), in [0, 1]; NaN for an empty matrix.
func (c *Confusion) MacroPrecision() float64 { return c.macro(c.Precision) }

// MacroRecall is the unweighted mean of Recall over the K classes
// (scikit-learn's average='macro'; balanced accuracy when every class is
// present), in [0, 1]; NaN for an empty matrix.
func (c *Confusion) MacroRecall() float64 { return c.macro(c.Recall) }

// MacroF1 is the unweighted mean of the per-class F1 over the K classes,
// in [0, 1]: scikit-learn's f1_score(average='macro'), which is not the F1
// of MacroPrecision and MacroRecall. NaN for an empty matrix.
func (c *Confusion) MacroF1() float64 { return c.macro(c.F1) }

// Rows returns a copy of the counts as K rows of K (row t, column p is
// Count(t, p)).
func (c *Confusion) Rows() [][]int {
	rows := make([][]int, c.k)
	for t := range rows {
		rows[t] = append([]int(nil), c.counts[t*c.k:(t+1)*c.k]...)
	}
	return rows
}

// Normalized returns the row-normalised matrix, K rows of K: row t is
// Count(t, ·) divided by the number of samples of class t, so it sums to 1
// and its diagonal entry is Recall(t). A class with no samples has a row
// of zeros (scikit-learn's confusion_matrix(normalize='true')).
func (c *Confusion) Normalized() [][]float64 {
	rows := make([][]float64, c.k)
	for t := range rows {
		row := c.counts[t*c.k : (t+1)*c.k]
		n := 0
		for _, v := range row {
			n += v
		}
		rows[t] = make([]float64, c.k)
		for p, v := range row {
			rows[t][p] = ratio(v, n)
		}
	}
	return rows
}
