package metrics

import (
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// benchSide is the image side of the benchmarks (512², as BOSSbase).
const benchSide = 512

// Throughput (b.SetBytes) counts the pixels of ONE image per operation,
// also for the metrics that read two images, so MB/s is image bytes per
// second, the conservative figure.
func benchImages() (plain, cipher, cipher2 *imageio.Gray) {
	return smoothImage(benchSide, benchSide, 1), noiseImage(benchSide, benchSide, 2), noiseImage(benchSide, benchSide, 3)
}

func BenchmarkEntropy(b *testing.B) {
	_, c, _ := benchImages()
	b.SetBytes(int64(len(c.Pix)))
	for b.Loop() {
		if _, err := Entropy(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLocalEntropy(b *testing.B) {
	_, c, _ := benchImages()
	b.SetBytes(int64(len(c.Pix)))
	for b.Loop() {
		if _, err := LocalEntropy(c, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNPCRUACI(b *testing.B) {
	_, c, c2 := benchImages()
	b.SetBytes(int64(len(c.Pix)))
	for b.Loop() {
		if _, err := NPCRUACI(c, c2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCorrelations(b *testing.B) {
	_, c, _ := benchImages()
	b.SetBytes(int64(len(c.Pix)))
	for b.Loop() {
		if _, err := Correlations(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChiSquare(b *testing.B) {
	_, c, _ := benchImages()
	b.SetBytes(int64(len(c.Pix)))
	for b.Loop() {
		if _, err := ChiSquare(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPSNR(b *testing.B) {
	p, c, _ := benchImages()
	b.SetBytes(int64(len(c.Pix)))
	for b.Loop() {
		if _, err := PSNR(p, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSSIM(b *testing.B) {
	p, c, _ := benchImages()
	b.SetBytes(int64(len(c.Pix)))
	for b.Loop() {
		if _, err := SSIM(p, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReport(b *testing.B) {
	p, c, c2 := benchImages()
	b.SetBytes(int64(len(c.Pix)))
	for b.Loop() {
		if _, err := NewReport(p, c, c2); err != nil {
			b.Fatal(err)
		}
	}
}
