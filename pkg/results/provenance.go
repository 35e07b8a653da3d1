package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Provenance records how and where a report was produced. It is shown on
// every report page and written as the "provenance" object of results.json
// (field order below is the JSON order; times are RFC 3339). pkg/provenance
// assembles it.
type Provenance struct {
	Commit       string    `json:"commit"`        // git commit of the module, or "unknown"
	Dirty        bool      `json:"dirty"`         // uncommitted changes (git status --porcelain not empty)
	GoVersion    string    `json:"go_version"`    // runtime.Version()
	GoMLXVersion string    `json:"gomlx_version"` // from build info, else the version go.mod pins
	GoNBVersion  string    `json:"gonb_version"`  // the GoNB version the notebook kernel pins
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
	// Extra holds further facts (e.g. why the backend was chosen); written
	// with sorted keys.
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

// FormatTime writes t as RFC 3339, "" for the zero time.
func FormatTime(t time.Time) string {
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
		FormatTime(p.Start), FormatTime(p.End), p.DurationS, p.Command, extra})
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

// Finish sets End and DurationS.
func (p *Provenance) Finish(end time.Time) {
	p.End = end
	p.DurationS = end.Sub(p.Start).Round(time.Millisecond).Seconds()
}
