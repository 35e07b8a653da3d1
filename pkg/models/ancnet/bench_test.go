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
