package nbdisplay_test

import (
	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/nbdisplay"
)

// Outside a notebook, displays fall back to plain text on nbdisplay.Output;
// in a GoNB cell the same calls show an HTML table and inline SVG.
func Example() {
	t := experiment.Table{Name: "entropy", Columns: []string{"cipher", "bits/pixel"}}
	t.AddRow("bitplane", 7.99931)
	nbdisplay.Must(nbdisplay.Table(t))
	nbdisplay.Must(nbdisplay.Claims([]experiment.Claim{
		experiment.Check("RITEM-CF-AN §4", "entropy ≈ 8", 7.9993, 7.99931, "bits", experiment.Within, 0, 0.01, ""),
	}))
	// Output:
	// == entropy
	// cipher	bits/pixel
	// bitplane	7.9993
	// RITEM-CF-AN §4  entropy ≈ 8: paper 7.999, measured 7.999 bits -> reproduced
}
