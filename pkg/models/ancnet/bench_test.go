package ancnet

import (
	"context"
	"testing"
)

// benchmarkRounds times training rounds (one Alice–Bob step and
// SpeedEveSteps(v) Eve steps) at N = 16, batch 4096, on the selected
// backend, and reports ms per round (the number the ANC report compares with
// PyTorch in the ANC report; see TimeRounds).
func benchmarkRounds(b *testing.B, v Variant) {
	t, err := TimeRounds(context.Background(), goBackendOrSelected(b), v, SpeedN, SpeedBatch, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(t.Seconds*1e3, "ms/round")
}

// BenchmarkTrainStepN16 times one ANC round: one Alice–Bob step and the two
// Eve steps that go with it.
func BenchmarkTrainStepN16(b *testing.B) { benchmarkRounds(b, ANC) }

// BenchmarkTrainStepCPAN16 times one CPA-ANC round: one Alice–Bob step and
// 20 Eve steps (Coutinho's 60 per 3).
func BenchmarkTrainStepCPAN16(b *testing.B) { benchmarkRounds(b, CPA) }

// BenchmarkEncrypt measures CPA-ANC Alice (N = 16) encrypting 8 MiB of
// plaintext in calls of 65536 blocks; it reports MB/s.
func BenchmarkEncrypt(b *testing.B) {
	cfg := DefaultConfig(CPA, 16, 1)
	m, err := NewModel(goBackendOrSelected(b), cfg)
	if err != nil {
		b.Fatal(err)
	}
	var last Throughput
	for i := 0; i < b.N; i++ {
		if last, err = m.MeasureThroughput(8, 1<<16); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(last.MBPerSec, "MB/s")
}

// Population benchmarks: one round of 10 runs × 512 blocks at N = 16 (the
// quick profile's cell), in each convolution form, beside 10 single-run
// rounds of 512 blocks; all report ms per run-round.
func benchmarkPopulation(b *testing.B, v Variant, conv PopConv) {
	const runs = 10
	t, err := TimePopulationRounds(context.Background(), goBackendOrSelected(b), v, SpeedN, 512, runs, b.N, conv)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(t.Seconds*1e3/runs, "ms/run-round")
}

// BenchmarkPopulationANCBanded: ANC, banded-matrix convolutions.
func BenchmarkPopulationANCBanded(b *testing.B) { benchmarkPopulation(b, ANC, PopConv{Banded: true}) }

// BenchmarkPopulationANCTaps: ANC, convolutions as strided taps.
func BenchmarkPopulationANCTaps(b *testing.B) { benchmarkPopulation(b, ANC, PopConv{}) }

// BenchmarkPopulationCPA: CPA-ANC (no convolutions).
func BenchmarkPopulationCPA(b *testing.B) { benchmarkPopulation(b, CPA, PopConv{}) }

// BenchmarkSingleRunRound512: one run's round at 512 blocks (the quick
// profile's minibatch), trained alone.
func BenchmarkSingleRunRound512(b *testing.B) {
	for _, v := range []Variant{ANC, CPA} {
		b.Run(string(v), func(b *testing.B) {
			t, err := TimeRounds(context.Background(), goBackendOrSelected(b), v, SpeedN, 512, b.N)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(t.Seconds*1e3, "ms/run-round")
		})
	}
}
