package anc

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	"github.com/neurocrypt/neurocrypt/pkg/models/nn"
)

// BenchSpec is the training-round comparison of variant v for
// `neurocrypt bench`: steps timed rounds (after an untimed one) of
// ancnet.TimeRounds at N = ancnet.SpeedN, batch ancnet.SpeedBatch, on every
// backend, and the same rounds in PyTorch (torchbench.py --variants, no
// encryption row). The anc report's own speed table is the cached unit of
// runSpeed; this one is re-measured on every bench run.
func BenchSpec(v ancnet.Variant, steps int) torchpeer.Spec {
	variant := map[ancnet.Variant]string{ancnet.ANC: "anc", ancnet.CPA: "cpa"}[v]
	return torchpeer.Spec{Experiment: ID, Version: Version, Steps: steps, Script: torchBench,
		Args: []string{"--n", fmt.Sprint(ancnet.SpeedN), "--batch", fmt.Sprint(ancnet.SpeedBatch), "--encrypt-mb", "0", "--variants", variant},
		TimeBackend: func(ctx context.Context, cfg string, steps int) (nn.Timing, string, error) {
			sel := backend.Fixed(cfg)
			be, err := sel.New()
			if err != nil {
				return nn.Timing{}, "", err
			}
			defer backend.Release(be) // a fresh backend of its own (Fixed)
			rt, err := ancnet.TimeRounds(ctx, be, v, ancnet.SpeedN, ancnet.SpeedBatch, steps)
			return nn.Timing{Mean: rt.Seconds, Median: rt.Median, Calls: rt.Rounds, FLOPs: rt.FLOPs}, sel.Device(), err
		},
		Parse: func(out []byte) (*torchpeer.TorchTiming, error) { return parseTorchRound(out, v) },
		Model: map[ancnet.Variant]string{ancnet.ANC: "ANC", ancnet.CPA: "CPA-ANC"}[v],
		Step:  fmt.Sprintf("one round: 1 Alice–Bob step and %d Eve steps, N = %d, batch %d", ancnet.SpeedEveSteps(v), ancnet.SpeedN, ancnet.SpeedBatch),
	}
}

// parseTorchRound reads torchbench.py's output as the round timing of
// variant v.
func parseTorchRound(out []byte, v ancnet.Variant) (*torchpeer.TorchTiming, error) {
	var r TorchResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, err
	}
	t := &torchpeer.TorchTiming{Torch: r.Torch, Threads: r.Threads, Config: r.Config,
		StepSeconds: r.ANCRoundSecs, StepMedianSeconds: r.ANCRoundMedian, MKLDNN: r.ANCMKLDNN}
	both := r.ANCMKLDNNSecs
	if v == ancnet.CPA {
		t.StepSeconds, t.StepMedianSeconds, t.MKLDNN, both = r.CPARoundSecs, r.CPARoundMedian, r.CPAMKLDNN, r.CPAMKLDNNSecs
	}
	t.MKLDNNOnSeconds, t.MKLDNNOffSeconds = both["on"], both["off"]
	if !(t.StepSeconds > 0) {
		return nil, fmt.Errorf("no %s round time in %.200q", v, out)
	}
	return t, nil
}
