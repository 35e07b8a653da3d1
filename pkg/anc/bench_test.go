package anc

import "testing"

// BenchmarkTrainStepN16 times one ANC training round at N = 16, batch 4096:
// one Alice–Bob step and the two Eve steps that go with it.
func BenchmarkTrainStepN16(b *testing.B) {
	cfg := DefaultConfig(ANC, 16, 1)
	cfg.EvalEvery = 0
	m, err := NewModel(goBackendOrSelected(b), cfg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.StepAliceBob(); err != nil { // compile
		b.Fatal(err)
	}
	if _, err := m.StepEve(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.StepAliceBob(); err != nil {
			b.Fatal(err)
		}
		for j := 0; j < cfg.EvePerRound; j++ {
			if _, err := m.StepEve(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

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
