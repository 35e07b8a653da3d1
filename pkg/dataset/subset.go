package dataset

import (
	"fmt"
	"slices"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// Subset returns the source of src's images whose IDs are listed, in src's
// order: e.g. a plan's TestIDs, so that a model trained on the plan's
// training images is measured on held-out images only (ours). Its Name
// and Fingerprint extend src's with the selection. It is an error if an ID
// is not in src or none is given.
func Subset(src Source, ids []string) (Source, error) {
	if src == nil || len(ids) == 0 {
		return nil, fmt.Errorf("dataset.Subset: want a source and at least one image ID")
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	s := &subset{src: src}
	for i := 0; i < src.Len(); i++ {
		if want[src.ID(i)] {
			s.index = append(s.index, i)
			delete(want, src.ID(i))
		}
	}
	if len(want) > 0 {
		missing := make([]string, 0, len(want))
		for id := range want {
			missing = append(missing, id)
		}
		slices.Sort(missing)
		return nil, fmt.Errorf("dataset.Subset: %s has no image %q", src.Name(), missing[0])
	}
	sel := make([]string, len(s.index))
	for k, i := range s.index {
		sel[k] = src.ID(i)
	}
	s.sel = strings.Join(sel, ",")
	return s, nil
}

type subset struct {
	src   Source
	index []int  // indices into src
	sel   string // the selected IDs, comma-separated
}

func (s *subset) Name() string                      { return fmt.Sprintf("%s[%d images]", s.src.Name(), len(s.index)) }
func (s *subset) Len() int                          { return len(s.index) }
func (s *subset) ID(i int) string                   { return s.src.ID(s.index[i]) }
func (s *subset) Load(i int) (*imageio.Gray, error) { return s.src.Load(s.index[i]) }

// Fingerprint is src's fingerprint and the selected IDs.
func (s *subset) Fingerprint() string { return Fingerprint(s.src) + "[" + s.sel + "]" }
