package perf

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// PythonEnvVar names the Python interpreter of the PyTorch peers; by
// default "python3" on $PATH, then /usr/bin/python3 (where Debian's
// python3-torch installs), whichever imports torch.
const PythonEnvVar = "NEUROCRYPT_PYTHON"

// FindTorchPython returns the first candidate interpreter that imports
// torch, or "" and why none does (how to install it). Ours.
func FindTorchPython(ctx context.Context) (string, string) {
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

// RunPython runs script (the program's text, fed on stdin) with python
// and args, in isolated mode, with the extra environment variables env
// ("NAME=value"), for at most timeout, and returns its standard output.
// An error carries the last line the script printed.
func RunPython(ctx context.Context, python, script string, env []string, timeout time.Duration, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := isolatedPython(ctx, python, append([]string{"-"}, args...)...)
	cmd.Stdin = strings.NewReader(script)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	stdout, stderr := &capped{max: MaxPythonOutput}, &capped{max: MaxPythonOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", python, err, lastLine(stderr.String()+stdout.String()))
	}
	if stdout.over {
		return nil, fmt.Errorf("%s: printed more than %d bytes: not a timing (a peer script prints one JSON object)", python, MaxPythonOutput)
	}
	return stdout.Bytes(), nil
}

// MaxPythonOutput bounds what RunPython keeps of a script's standard
// output and error (a peer prints one short JSON object; a runaway
// interpreter must not fill memory).
const MaxPythonOutput = 1 << 20

// capped keeps the first max bytes written to it and drops the rest,
// remembering that it did. (Not an embedded bytes.Buffer: io.Copy would
// call the buffer's unbounded ReadFrom instead of Write.)
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room < len(p) {
		c.over = true
		if room > 0 {
			c.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return c.buf.Write(p)
}

func (c *capped) Bytes() []byte  { return c.buf.Bytes() }
func (c *capped) String() string { return c.buf.String() }

// isolatedPython runs python in isolated mode (-I: no current folder, user
// site-packages or PYTHON* variables on the import path) from pythonDir,
// so that a torch.py (or any module) in the folder neurocrypt runs from is
// never imported.
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
