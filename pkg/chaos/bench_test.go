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
