package nbdisplay_test

import (
	"github.com/neurocrypt/neurocrypt/pkg/nbdisplay"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Outside a notebook, displays fall back to plain text on nbdisplay.Output;
// in a GoNB cell the same calls show an HTML table and inline SVG.
func Example() {
	t := results.Table{Name: "entropy", Columns: []string{"cipher", "bits/pixel"}}
	t.AddRow("bitplane", 7.99931)
	nbdisplay.Must(nbdisplay.Table(t))
	nbdisplay.Must(nbdisplay.Claims([]results.Claim{
		results.Check("RITEM-CF-AN §4", "entropy ≈ 8", 7.9993, 7.99931, "bits", results.Within, 0, 0.01, ""),
	}))
	// Output:
	// == entropy
	// cipher	bits/pixel
	// bitplane	7.9993
	// RITEM-CF-AN §4  entropy ≈ 8: paper 7.999, measured 7.999 bits -> reproduced
}
