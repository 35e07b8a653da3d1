package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Pinned versions used when they cannot be read from the running binary.
const (
	// PinnedGoMLXVersion is the GoMLX version go.mod pins; CollectProvenance
	// reports it when the binary's build info does not list GoMLX (e.g. a
	// test binary that does not link it).
	PinnedGoMLXVersion = "v0.28.8"
	// GoNBVersion is the GoNB version the notebook kernel installer pins.
	GoNBVersion = "v0.11.5"
	// gomlxModule is the module path looked up in the build info.
	gomlxModule = "github.com/gomlx/gomlx"
	// gitTimeout bounds each git call made by CollectProvenance.
	gitTimeout = 10 * time.Second
	// Unknown is recorded for facts that could not be determined.
	Unknown = "unknown"
)

// Provenance records how and where a report was produced. It is shown on
// every report page and written as the "provenance" object of results.json
// (field order below is the JSON order; times are RFC 3339).
type Provenance struct {
	Commit       string    `json:"commit"`        // git commit of the module, or "unknown"
	Dirty        bool      `json:"dirty"`         // uncommitted changes (git status --porcelain not empty)
	GoVersion    string    `json:"go_version"`    // runtime.Version()
	GoMLXVersion string    `json:"gomlx_version"` // from build info, else PinnedGoMLXVersion
	GoNBVersion  string    `json:"gonb_version"`  // GoNBVersion
	Backend      string    `json:"backend"`       // GoMLX backend configuration, e.g. "go", "xla:cuda"
	Device       string    `json:"device"`        // accelerator or CPU description
	Profile      string    `json:"profile"`       // smoke, quick or paper
	Seed         uint64    `json:"seed"`          // the run seed
	Dataset      string    `json:"dataset"`       // dataset.Source name
	DatasetHash  string    `json:"dataset_hash"`  // content hash of the data used
	SkippedFiles int       `json:"skipped_files"` // dataset files skipped as unreadable
	Host         string    `json:"host"`
	OSArch       string    `json:"os_arch"` // GOOS/GOARCH
	CPUs         int       `json:"cpus"`    // runtime.NumCPU()
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	DurationS    float64   `json:"duration_s"` // End − Start in seconds
	// Command is the exact command line that regenerates the report.
	Command string `json:"command"`
	// Extra holds further facts (e.g. PJRT plugin path); written with
	// sorted keys.
	Extra map[string]string `json:"extra"`
}

// provenanceJSON mirrors Provenance with times as RFC 3339 strings ("" for
// the zero time) and a never-null extra map.
type provenanceJSON struct {
	Commit       string            `json:"commit"`
	Dirty        bool              `json:"dirty"`
	GoVersion    string            `json:"go_version"`
	GoMLXVersion string            `json:"gomlx_version"`
	GoNBVersion  string            `json:"gonb_version"`
	Backend      string            `json:"backend"`
	Device       string            `json:"device"`
	Profile      string            `json:"profile"`
	Seed         uint64            `json:"seed"`
	Dataset      string            `json:"dataset"`
	DatasetHash  string            `json:"dataset_hash"`
	SkippedFiles int               `json:"skipped_files"`
	Host         string            `json:"host"`
	OSArch       string            `json:"os_arch"`
	CPUs         int               `json:"cpus"`
	Start        string            `json:"start"`
	End          string            `json:"end"`
	DurationS    float64           `json:"duration_s"`
	Command      string            `json:"command"`
	Extra        map[string]string `json:"extra"`
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("provenance %s: %w", field, err)
	}
	return t, nil
}

// MarshalJSON writes times as RFC 3339 and a nil Extra as {}.
func (p Provenance) MarshalJSON() ([]byte, error) {
	extra := p.Extra
	if extra == nil {
		extra = map[string]string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "a && b > c" readable in results.json
	err := enc.Encode(provenanceJSON{p.Commit, p.Dirty, p.GoVersion, p.GoMLXVersion, p.GoNBVersion, p.Backend, p.Device,
		p.Profile, p.Seed, p.Dataset, p.DatasetHash, p.SkippedFiles, p.Host, p.OSArch, p.CPUs,
		formatTime(p.Start), formatTime(p.End), p.DurationS, p.Command, extra})
	return bytes.TrimRight(buf.Bytes(), "\n"), err
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Provenance) UnmarshalJSON(b []byte) error {
	var j provenanceJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	start, err := parseTime("start", j.Start)
	if err != nil {
		return err
	}
	end, err := parseTime("end", j.End)
	if err != nil {
		return err
	}
	*p = Provenance{j.Commit, j.Dirty, j.GoVersion, j.GoMLXVersion, j.GoNBVersion, j.Backend, j.Device,
		j.Profile, j.Seed, j.Dataset, j.DatasetHash, j.SkippedFiles, j.Host, j.OSArch, j.CPUs,
		start, end, j.DurationS, j.Command, j.Extra}
	return nil
}

// CollectProvenance fills what can be found out about this process: the git
// commit and dirty flag of the module containing dir ("" = the current
// directory; git runs in the directory holding go.mod, found by walking up),
// the Go, GoMLX and GoNB versions, host, OS/arch, CPU count, Start (now) and
// Command (os.Args, see CommandLine). When git is missing or dir is not in a
// repository, Commit is "unknown" and Extra["git"] says why.
//
// The caller fills the run's own facts (Backend, Device, Profile, Seed,
// Dataset, DatasetHash, SkippedFiles) and calls Finish when done.
func CollectProvenance(dir string) Provenance {
	p := Provenance{
		GoVersion:    runtime.Version(),
		GoMLXVersion: gomlxVersion(),
		GoNBVersion:  GoNBVersion,
		OSArch:       runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:         runtime.NumCPU(),
		Start:        time.Now(),
		Command:      CommandLine(os.Args),
		Extra:        map[string]string{},
	}
	if h, err := os.Hostname(); err == nil {
		p.Host = h
	} else {
		p.Host = Unknown
	}
	root := ModuleRoot(dir)
	commit, err := git(root, "rev-parse", "HEAD")
	if err != nil {
		p.Commit = Unknown
		p.Extra["git"] = err.Error()
		return p
	}
	p.Commit = commit
	status, err := git(root, "status", "--porcelain")
	if err != nil {
		p.Extra["git"] = err.Error()
	}
	p.Dirty = status != ""
	return p
}

// Finish sets End and DurationS.
func (p *Provenance) Finish(end time.Time) {
	p.End = end
	p.DurationS = end.Sub(p.Start).Round(time.Millisecond).Seconds()
}

// ModuleRoot returns the closest directory at or above dir that holds a
// go.mod file, or dir itself (made absolute) when there is none. An empty
// dir means the current directory.
func ModuleRoot(dir string) string {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		if st, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !st.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return abs
		}
		d = parent
	}
}

func git(dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		msg := err.Error()
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return "", fmt.Errorf("git %s in %s: %s", strings.Join(args, " "), dir, msg)
	}
	return strings.TrimSpace(string(out)), nil
}

func gomlxVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != gomlxModule {
				continue
			}
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			if d.Version != "" && d.Version != "(devel)" {
				return d.Version
			}
		}
	}
	return PinnedGoMLXVersion
}

// CommandLine joins args into a line a POSIX shell would split back into the
// same arguments, quoting where needed. When args[0] is a binary built by
// `go run` (it lives in a go-build temporary directory) it is written as
// "go run ./cmd/<name>", which is how such a run is repeated.
func CommandLine(args []string) string {
	parts := make([]string, 0, len(args)+2)
	for i, a := range args {
		if i == 0 && strings.Contains(filepath.ToSlash(a), "/go-build") {
			parts = append(parts, "go", "run", "./cmd/"+filepath.Base(a))
			continue
		}
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// field is one labelled provenance fact, for display.
type field struct{ Key, Value string }

// fields lists the provenance facts in display (and JSON) order.
func (p Provenance) fields() []field {
	dirty := "no"
	if p.Dirty {
		dirty = "yes (uncommitted changes)"
	}
	fs := []field{
		{"commit", p.Commit},
		{"dirty", dirty},
		{"go_version", p.GoVersion},
		{"gomlx_version", p.GoMLXVersion},
		{"gonb_version", p.GoNBVersion},
		{"backend", p.Backend},
		{"device", p.Device},
		{"profile", p.Profile},
		{"seed", strconv.FormatUint(p.Seed, 10)},
		{"dataset", p.Dataset},
		{"dataset_hash", p.DatasetHash},
		{"skipped_files", strconv.Itoa(p.SkippedFiles)},
		{"host", p.Host},
		{"os_arch", p.OSArch},
		{"cpus", strconv.Itoa(p.CPUs)},
		{"start", formatTime(p.Start)},
		{"end", formatTime(p.End)},
		{"duration_s", strconv.FormatFloat(p.DurationS, 'f', -1, 64)},
		{"command", p.Command},
	}
	keys := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fs = append(fs, field{k, p.Extra[k]})
	}
	return fs
}
