package nbenv

import (
	"context"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/bitplane"
)

func TestOptionsFromEnvironment(t *testing.T) {
	t.Setenv(ProfileEnv, "")
	t.Setenv(SeedEnv, "")
	t.Setenv(DataEnv, "")
	t.Setenv(WorkDirEnv, "")
	o, err := Options()
	if err != nil {
		t.Fatal(err)
	}
	if o.Profile != experiment.Quick || o.Seed != DefaultSeed || o.Data.Name() != "standin" || o.Backend == nil || o.WorkDir == "" {
		t.Errorf("defaults: %+v", o)
	}
	t.Setenv(ProfileEnv, "smoke")
	t.Setenv(SeedEnv, "9")
	t.Setenv(WorkDirEnv, "/tmp/x")
	if o, err = Options(); err != nil || o.Profile != experiment.Smoke || o.Seed != 9 || o.WorkDir != "/tmp/x" {
		t.Errorf("from the environment: %+v, %v", o, err)
	}
	for env, val := range map[string]string{ProfileEnv: "huge", SeedEnv: "-1", DataEnv: "/nonexistent/bossbase"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, val)
			if _, err := Options(); err == nil || !strings.Contains(err.Error(), env) {
				t.Errorf("%s=%s: %v; want an error naming the variable", env, val, err)
			}
		})
	}
}

func TestRunGoesThroughTheSuite(t *testing.T) {
	t.Setenv(ProfileEnv, "smoke")
	t.Setenv(WorkDirEnv, t.TempDir())
	res, err := Run(context.Background(), bitplane.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Claims) == 0 || res.DataHash == "" {
		t.Errorf("result: %d claims, hash %q", len(res.Claims), res.DataHash)
	}
	if _, err := Run(context.Background(), "nosuch"); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("unknown experiment: %v", err)
	}
}

// TestTrainRecognizerValidates: Done refuses an unknown model or task.
func TestTrainRecognizerValidates(t *testing.T) {
	t.Setenv("NEUROCRYPT_PROFILE", "smoke")
	if _, err := TrainRecognizer("vgg", "binary").Done(); err == nil || !strings.Contains(err.Error(), "unknown model") {
		t.Errorf("vgg: %v, want an unknown-model error", err)
	}
	if _, err := TrainRecognizer("CNN", "nonsense").Done(); err == nil || !strings.Contains(err.Error(), "unknown task") {
		t.Errorf("nonsense task: %v, want an unknown-task error", err)
	}
	if r, err := TrainRecognizer("CNN", "binary").Done(); err != nil || r.Config.Epochs == 0 {
		t.Errorf("CNN on binary: %+v, %v", r, err)
	}
}
