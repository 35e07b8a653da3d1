package anc

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"runtime"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/experiment/torchpeer"
	"github.com/neurocrypt/neurocrypt/pkg/perf"
)

// torchBench is the PyTorch reference of the training-speed and throughput
// comparison (torchbench.py, written from the papers like pkg/models/ancnet).
//
//go:embed torchbench.py
var torchBench string

// PythonEnvVar names the Python interpreter to use for the PyTorch
// reference (perf.PythonEnvVar).
const PythonEnvVar = perf.PythonEnvVar

// findTorchPython finds an interpreter that imports torch (perf).
var findTorchPython = perf.FindTorchPython

// torchTimeout bounds one run of the PyTorch reference.
const torchTimeout = 10 * time.Minute

// Torch configurations (torchbench.py --config).
const (
	// TorchStock is PyTorch as installed.
	TorchStock = "stock"
	// TorchBest is PyTorch's best CPU configuration for these models: glibc
	// malloc tuned (torchpeer.MallocTunables) and oneDNN on or off per
	// measurement, whichever is faster (../shared/ENV.md).
	TorchBest = "best"
)

// TorchResult is what torchbench.py reports.
type TorchResult struct {
	Python  string `json:"python_path"`
	Torch   string `json:"torch"`
	Threads int    `json:"threads"`
	// Config is TorchStock or TorchBest.
	Config string `json:"config"`
	// ANCMKLDNN and CPAMKLDNN say whether oneDNN was on for the round
	// times; with TorchBest, ANCMKLDNNSecs and CPAMKLDNNSecs hold both
	// times ("on", "off").
	ANCMKLDNN     bool               `json:"anc_mkldnn"`
	CPAMKLDNN     bool               `json:"cpa_mkldnn"`
	ANCMKLDNNSecs map[string]float64 `json:"anc_mkldnn_seconds,omitempty"`
	CPAMKLDNNSecs map[string]float64 `json:"cpa_mkldnn_seconds,omitempty"`
	N             int                `json:"n"`
	Batch         int                `json:"batch"`
	Rounds        int                `json:"rounds"`
	ANCRoundSecs  float64            `json:"anc_round_seconds"`
	CPARoundSecs  float64            `json:"cpa_round_seconds"`
	// ANCRoundMedian and CPARoundMedian are the median round times (the
	// *RoundSecs are means).
	ANCRoundMedian float64 `json:"anc_round_median_seconds"`
	CPARoundMedian float64 `json:"cpa_round_median_seconds"`
	ANCEve         int     `json:"anc_eve_per_round"`
	CPAEve         int     `json:"cpa_eve_per_round"`
	Encrypt        *struct {
		MB       float64 `json:"mb"`
		Seconds  float64 `json:"seconds"`
		MBPerSec float64 `json:"mb_per_sec"`
		Batch    int     `json:"batch"`
		MKLDNN   bool    `json:"mkldnn"`
	} `json:"encrypt,omitempty"`
}

// runTorch runs the embedded torchbench.py with python for the given
// settings, on as many threads as Go uses, in configuration config
// (TorchStock, or TorchBest with glibc malloc tuned).
func runTorch(ctx context.Context, python, config string, n, batch, rounds int, encryptMB float64, encryptBatch int) (*TorchResult, error) {
	var env []string
	if config == TorchBest {
		env = []string{torchpeer.MallocTunables}
	}
	out, err := perf.RunPython(ctx, python, torchBench, env, torchTimeout, "--n", fmt.Sprint(n), "--batch", fmt.Sprint(batch),
		"--rounds", fmt.Sprint(rounds), "--threads", fmt.Sprint(runtime.GOMAXPROCS(0)), "--encrypt-mb", fmt.Sprint(encryptMB),
		"--encrypt-batch", fmt.Sprint(encryptBatch), "--config", config)
	if err != nil {
		return nil, fmt.Errorf("PyTorch reference (torchbench.py, %s configuration): %w", config, err)
	}
	var r TorchResult
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("PyTorch reference (%s torchbench.py): reading its output: %w", python, err)
	}
	r.Python = python
	return &r, nil
}
