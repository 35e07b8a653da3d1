package agilenet

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestPostProcessingGolden pins the post-processing of a fixed image under
// a fixed secret (SHA-256 of the result): the obfuscation's permutation is
// chaos.KeyedPermutation and the diffusion's keystream chaos.LogisticMix,
// and a cipher image post-processed by one build must be undone by
// another. A change here means stored agile ciphertexts no longer decrypt.
// 300² pixels take the permutation past one chunk of keystream words.
func TestPostProcessingGolden(t *testing.T) {
	for _, c := range []struct {
		p    Post
		n    int
		want string
	}{
		{PostObfuscation, 37 * 29, "5d810dffe7d06f85c0a583ae7765aaf58e4f4c5d4ca4d7037b385e835f253663"},
		{PostDiffusion, 37 * 29, "15372e7eda3928d4f2b8b54d590d015733c1c19d4d48686d0a0e1c14be6143f2"},
		{PostObfuscation, 300 * 300, "1fffb5ed069954f08490145d24799f40b34c9442558a832f208c529a040b6908"},
	} {
		pix := make([]byte, c.n)
		for i := range pix {
			pix[i] = byte(i*7 + i/37)
		}
		out, err := c.p.Apply([]byte("post-processing!"), pix)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(out)
		if got := hex.EncodeToString(sum[:]); got != c.want {
			t.Errorf("%s, %d pixels: SHA-256 %s, want %s", c.p, c.n, got, c.want)
		}
	}
}
