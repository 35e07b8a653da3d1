package anc

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// torchBench is the PyTorch reference of the training-speed and throughput
// comparison (torchbench.py, written from the papers like pkg/models/ancnet).
//
//go:embed torchbench.py
var torchBench string

// PythonEnvVar names the Python interpreter to use for the PyTorch
// reference; by default "python3" on $PATH, then /usr/bin/python3 (where
// Debian's python3-torch installs), whichever imports torch.
const PythonEnvVar = "NEUROCRYPT_PYTHON"

// torchTimeout bounds one run of the PyTorch reference.
const torchTimeout = 10 * time.Minute

// TorchResult is what torchbench.py reports.
type TorchResult struct {
	Python       string  `json:"python_path"`
	Torch        string  `json:"torch"`
	Threads      int     `json:"threads"`
	N            int     `json:"n"`
	Batch        int     `json:"batch"`
	Rounds       int     `json:"rounds"`
	ANCRoundSecs float64 `json:"anc_round_seconds"`
	CPARoundSecs float64 `json:"cpa_round_seconds"`
	ANCEve       int     `json:"anc_eve_per_round"`
	CPAEve       int     `json:"cpa_eve_per_round"`
	Encrypt      *struct {
		MB       float64 `json:"mb"`
		Seconds  float64 `json:"seconds"`
		MBPerSec float64 `json:"mb_per_sec"`
		Batch    int     `json:"batch"`
	} `json:"encrypt,omitempty"`
}

// findTorchPython returns the first candidate interpreter that imports
// torch, or "" and why none does.
func findTorchPython(ctx context.Context) (string, string) {
	var cands []string
	if p := strings.TrimSpace(os.Getenv(PythonEnvVar)); p != "" {
		cands = append(cands, p)
	} else {
		if p, err := exec.LookPath("python3"); err == nil {
			cands = append(cands, p)
		}
		if _, err := os.Stat("/usr/bin/python3"); err == nil {
			cands = append(cands, "/usr/bin/python3")
		}
	}
	if len(cands) == 0 {
		return "", "no python3 found"
	}
	var tried []string
	for _, p := range cands {
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := isolatedPython(cctx, p, "-c", "import torch").Run()
		cancel()
		if err == nil {
			return p, ""
		}
		tried = append(tried, p)
	}
	return "", fmt.Sprintf("PyTorch is not importable from %s (install it with `apt-get install python3-torch` or `scripts/setup.sh --torch`, or set %s)",
		strings.Join(tried, ", "), PythonEnvVar)
}

// runTorch runs the embedded torchbench.py with python for the given
// settings, on as many threads as Go uses.
func runTorch(ctx context.Context, python string, n, batch, rounds int, encryptMB float64, encryptBatch int) (*TorchResult, error) {
	ctx, cancel := context.WithTimeout(ctx, torchTimeout)
	defer cancel()
	args := []string{"-", "--n", fmt.Sprint(n), "--batch", fmt.Sprint(batch), "--rounds", fmt.Sprint(rounds),
		"--threads", fmt.Sprint(runtime.GOMAXPROCS(0)), "--encrypt-mb", fmt.Sprint(encryptMB), "--encrypt-batch", fmt.Sprint(encryptBatch)}
	cmd := isolatedPython(ctx, python, args...)
	cmd.Stdin = strings.NewReader(torchBench)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("PyTorch reference (%s torchbench.py): %w: %s", python, err, lastLine(stderr.String()+stdout.String()))
	}
	var r TorchResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("PyTorch reference (%s torchbench.py): reading its output: %w", python, err)
	}
	r.Python = python
	return &r, nil
}

// isolatedPython runs python in isolated mode (-I: no current folder, user
// site-packages or PYTHON* variables on the import path) from pythonDir, so that a torch.py (or any module) in the folder
// neurocrypt runs from is never imported.
func isolatedPython(ctx context.Context, python string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, python, append([]string{"-I"}, args...)...)
	cmd.Dir = pythonDir()
	return cmd
}

// pythonDir is the folder Python runs in: the file system's root where
// there is one (writable only by its administrator, unlike the shared
// temporary folder), else the temporary folder. -I already keeps the
// working folder off the import path; this is a second line.
func pythonDir() string {
	if runtime.GOOS != "windows" {
		return "/"
	}
	return os.TempDir()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
