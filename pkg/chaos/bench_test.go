package chaos

import "testing"

func BenchmarkLogisticSineBytes(b *testing.B) {
	buf := make([]byte, 1<<16)
	m := MustNewLogisticSine(3.99, 0.3)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		m.FillBytes(buf)
	}
}

func BenchmarkLorenzBytes(b *testing.B) {
	buf := make([]byte, 3<<15)
	l := MustNewLorenz(0.1, 0.2, 0.3)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		l.FillBytes(buf)
	}
}

func BenchmarkHopfieldFillBytes(b *testing.B) {
	buf := make([]byte, 12<<12)
	g := MustNewHopfield(HopfieldParams{W: HopfieldW, X0: [3]float64{0.1, 0.1, 0.1}})
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		g.FillBytes(buf)
	}
}

func BenchmarkCellularFillBytes(b *testing.B) {
	buf := make([]byte, 24<<12)
	g := MustNewCellular(CellularDefault)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		g.FillBytes(buf)
	}
}

// BenchmarkCheckHopfield and BenchmarkCheckCellular measure the once-per-key
// weak-key checks.
func BenchmarkCheckHopfield(b *testing.B) {
	p := HopfieldParams{W: HopfieldW, X0: [3]float64{0.1, 0.1, 0.1}}
	for b.Loop() {
		if err := CheckHopfield(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckCellular(b *testing.B) {
	for b.Loop() {
		if err := CheckCellular(CellularDefault); err != nil {
			b.Fatal(err)
		}
	}
}
