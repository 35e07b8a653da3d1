package dataset

import (
	"strings"
	"testing"
)

func TestSubsetKeepsListedImagesInSourceOrder(t *testing.T) {
	src, err := NewSynthetic(3, 5, 32)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := Subset(src, []string{src.ID(3), src.ID(1)})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Len() != 2 || sub.ID(0) != src.ID(1) || sub.ID(1) != src.ID(3) {
		t.Fatalf("subset IDs %q, %q", sub.ID(0), sub.ID(1))
	}
	a, _ := sub.Load(1)
	b, _ := src.Load(3)
	if !a.Equal(b) {
		t.Error("subset image 1 differs from source image 3")
	}
	if Fingerprint(sub) == Fingerprint(src) {
		t.Error("the subset's fingerprint equals its source's")
	}
	if _, err := Subset(src, []string{"nope"}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown ID: %v", err)
	}
	if _, err := Subset(src, nil); err == nil {
		t.Error("empty selection: no error")
	}
}
