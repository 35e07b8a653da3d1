package nbenv

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/experiment/anc"
	"github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	"github.com/neurocrypt/neurocrypt/pkg/plot"
)

func TestTrainANCConfigFollowsTheProfile(t *testing.T) {
	t.Setenv(ProfileEnv, "quick")
	tr, err := TrainANC(ancnet.CPA).N(8).Batch(64).LearningRate(0.02).Steps(1000).Seed(5).Done()
	if err != nil {
		t.Fatal(err)
	}
	c := tr.Config
	// Quick CPA rounds: 1 Alice–Bob + 5 Eve steps.
	if c.Variant != ancnet.CPA || c.N != 8 || c.Batch != 64 || c.LearningRate != 0.02 || c.Seed != 5 ||
		c.Rounds != 1000 || c.ABPerRound != 1 || c.EvePerRound != 5 || c.EvalEvery != 1000/ANCCurvePoints || tr.Kept != ANCKept {
		t.Errorf("quick config: %+v", c)
	}
	t.Setenv(ProfileEnv, "paper")
	if tr, err = TrainANC(ancnet.CPA).Steps(1000).Done(); err != nil || tr.Config.Rounds != 334 || tr.Config.ABSteps() < 1000 {
		t.Errorf("paper: 3 Alice–Bob steps per round, want ⌈1000/3⌉ = 334 rounds: %+v, %v", tr.Config, err)
	}
	if tr, err = TrainANC(ancnet.CPA).Steps(ancnet.MaxRounds).Done(); err != nil || tr.Config.Rounds != (ancnet.MaxRounds-1)/3+1 {
		t.Errorf("paper, the most steps: %+v, %v", tr.Config, err)
	}
	t.Setenv(ProfileEnv, "smoke")
	if tr, err = TrainANC(ancnet.ANC).Steps(1000).Done(); err != nil || tr.Config.ABSteps() != SmokeANCSteps || tr.Profile != experiment.Smoke {
		t.Errorf("smoke: want %d steps: %+v, %v", SmokeANCSteps, tr.Config, err)
	}
	for name, b := range map[string]*ANCBuilder{
		"odd ANC N": TrainANC(ancnet.ANC).N(5), "no steps": TrainANC(ancnet.CPA).Steps(0),
		"bad variant": TrainANC("rsa"), "batch": TrainANC(ancnet.CPA).Batch(0),
		"huge batch (would exhaust memory)":             TrainANC(ancnet.CPA).Batch(1 << 40),
		"huge steps (would overflow or train for ever)": TrainANC(ancnet.CPA).Steps(math.MaxInt)} {
		if _, err := b.Done(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTrainANCRunKeepsTheModel(t *testing.T) {
	t.Setenv(ProfileEnv, "smoke")
	tr, err := TrainANC(ancnet.CPA).N(4).Batch(32).Steps(12).Keep("test-anc").Done()
	if err != nil {
		t.Fatal(err)
	}
	m, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h := m.History()
	if len(h.Step) < 2 || h.Step[len(h.Step)-1] != tr.Config.ABSteps() {
		t.Fatalf("curves %v: want several points ending at step %d", h.Step, tr.Config.ABSteps())
	}
	fig := ANCFigure(tr.Config, h)
	if len(fig.Series) != 2 || len(fig.Series[0].X) != len(h.Step) || fig.Series[1].Y[0] != h.Eve[0] || fig.Series[1].Name != "Eve's accuracy" {
		t.Errorf("figure series %+v for history %+v", fig.Series, h)
	}
	if svg, err := plot.SVG(fig); err != nil || !strings.Contains(svg, "CPA-ANC, N = 4") {
		t.Errorf("figure does not render: %v", err)
	}
	loaded, err := KeptANC("test-anc")
	if err != nil {
		t.Fatal(err)
	}
	key := ancnet.NewKey(4, 1)
	a, err := m.SendMessage([]byte("kept"), key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loaded.SendMessage([]byte("kept"), key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Cipher, b.Cipher) || !bytes.Equal(a.Decoded, b.Decoded) {
		t.Errorf("kept model differs: cipher %x / %x", a.Cipher, b.Cipher)
	}
	if _, err := KeptANC("never-trained"); err == nil {
		t.Error("KeptANC of nothing succeeded")
	}
	sec, err := ANCSecurityConfig(tr.Config)
	if err != nil {
		t.Fatal(err)
	}
	smoke := anc.ProfileSettings[experiment.Smoke]
	if sec.Attack != ancnet.ChosenPlaintext || sec.Restarts != smoke.SecRestarts || sec.Steps != smoke.SecSteps ||
		sec.Batch != smoke.SecBatch || sec.TestBlocks != ancnet.SecurityTestPairs {
		t.Errorf("smoke security test of a CPA run: %+v, want the anc experiment's %+v", sec, smoke)
	}
	if n, err := ANCProbeSamples(); err != nil || n != smoke.ProbeSamples16 {
		t.Errorf("smoke probe samples %d, %v", n, err)
	}
}
