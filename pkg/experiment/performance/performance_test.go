package performance

import (
	"context"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/experiment"
)

func TestSmokeMeasuresEveryOperation(t *testing.T) {
	res, err := New().Run(context.Background(), &experiment.Env{Profile: experiment.Smoke, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tables) != 1 || !res.Tables[0].Timing {
		t.Fatalf("want one timing table, got %+v", res.Tables)
	}
	tb := res.Tables[0]
	seen := map[string]bool{}
	for _, r := range tb.Rows {
		name, mbps, runs := r[0].(string), r[1].(float64), r[6].(int)
		seen[name] = true
		if mbps <= 0 || runs <= 0 {
			t.Errorf("%s: MB/s %v, runs %d; want positive", name, mbps, runs)
		}
		if goal, ok := r[7].(float64); ok {
			if _, ok := r[8].(bool); !ok || goal <= 0 {
				t.Errorf("%s: a goal needs a meets-goal flag, got %v", name, r[8])
			}
		}
	}
	for _, want := range []string{"bitplane/encrypt", "aes-ctr/encrypt", "metrics/entropy", "metrics/all"} {
		if !seen[want] {
			t.Errorf("no row for %s", want)
		}
	}
}

func TestUnknownProfile(t *testing.T) {
	if _, err := New().Run(context.Background(), &experiment.Env{Profile: "huge"}); err == nil {
		t.Fatal("want an error")
	}
}
