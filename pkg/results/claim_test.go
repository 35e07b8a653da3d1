package results

import (
	"math"
	"strings"
	"testing"
)

func TestCheckVerdicts(t *testing.T) {
	if c := Check("p", "s", 99.5, 99.6, "%", AtLeast, 99.5, 0, ""); c.Verdict != Reproduced {
		t.Fatalf("got %s", c.Verdict)
	}
	if c := Check("p", "s", 99.5, 1, "%", AtLeast, 99.5, 0, ""); c.Verdict != NotReproduced {
		t.Fatalf("got %s", c.Verdict)
	}
	if c := Check("p", "s", 8, math.NaN(), "bits", Within, 0, 0.01, ""); c.Verdict != Inconclusive {
		t.Fatalf("got %s", c.Verdict)
	}
	if c := Check("p", "s", 8, 7.995, "bits", Within, 0, 0.01, "why"); c.Verdict != Reproduced || !strings.HasSuffix(c.Why, ". why") {
		t.Fatalf("got %+v", c)
	}
}
