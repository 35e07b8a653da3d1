package attack

import (
	"fmt"
	"math"

	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// TableColumns are the columns of Table.
var TableColumns = []string{"attack", "queries", "PSNR dB", "NPCR %", "UACI %", "verdict", "rule", "detail"}

// Table renders one cipher's outcomes (from Run) as the results.Table
// "attacks <label>": one row per outcome, in order, with the columns of
// TableColumns. Verdicts are "broken", "resists" or "not run"
// (Outcome.Verdict). Not-applicable numbers (NaN) are nil cells; an exact
// recovery's PSNR is +Inf (null in results.json).
func Table(label string, outs []Outcome) results.Table {
	t := results.Table{
		Name: "attacks " + label,
		Caption: fmt.Sprintf("Attacks on %s, black box (only the cipher's encrypt/decrypt and its key's bit flips are used). "+
			"Recoveries of the target count as a break when their PSNR against the true target exceeds %g dB "+
			"(∞, null in results.json: exact). cpa-keystream: E(0) removed by XOR or subtraction; "+
			"kpa-/cpa-permutation: Li, Li, Chen & Bourbakis (2008), permutation of the sample bytes from known natural-image pairs "+
			"or from ⌈log256 n⌉ chosen index images, with a plaintext-independent XOR keystream removed; "+
			"differential: one pixel +1 mod 2^depth, Wu et al. (2011) NPCR/UACI tests at α = %g, \"broken\" = test failed; "+
			"wrong-key: decryption with key bits 0, 8 and NumBits/2 flipped, equivalent keys not counted.",
			label, SuccessPSNR, DifferentialAlpha),
		Columns: TableColumns,
	}
	for _, o := range outs {
		t.AddRow(o.Attack, o.Queries, cell(o.PSNR), cell(o.NPCR), cell(o.UACI), o.Verdict(), o.Rule, o.Detail)
	}
	return t
}

// cell is x, or nil when x is NaN (not applicable).
func cell(x float64) any {
	if math.IsNaN(x) {
		return nil
	}
	return x
}
