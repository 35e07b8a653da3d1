package report

import (
	"sort"
	"strconv"

	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// field is one labelled provenance fact, for display.
type field struct{ Key, Value string }

// provenanceFields lists the provenance facts in display (and JSON) order.
func provenanceFields(p results.Provenance) []field {
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
		{"start", results.FormatTime(p.Start)},
		{"end", results.FormatTime(p.End)},
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
