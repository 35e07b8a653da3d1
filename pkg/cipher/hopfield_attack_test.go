package cipher

import (
	"crypto/sha256"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// The receiver-side transmission of the Hopfield cipher's image dependency
// must be sound (issue #12): its digests are keyed. This test shows why.
// With digests an attacker can compute (an unkeyed design: the digest key
// public), an adaptive chosen-plaintext attack fixes the dynamic key A′,
// reads the permutation off a few chosen bodies, finds the target's A′ in
// its ciphertext, asks for the keystream of that A′ and decrypts the
// target exactly. With the digests keyed by the secret key, the same
// attack — the attacker must guess the digest key — recovers nothing.

// hopfieldAdaptiveCPA runs the attack against encrypt (the oracle) with
// the attacker's belief mac about the digest key, and returns its guess of
// the target's plaintext and the number of chosen plaintexts it used.
func hopfieldAdaptiveCPA(t *testing.T, encrypt func(*imageio.Gray) *imageio.Gray, mac *[32]byte, target *imageio.Gray) (*imageio.Gray, int) {
	n := len(target.Pix)
	m := min(HopfieldHeadBytes, n/2)
	nb := n - m
	queries := 0
	// query encrypts head‖body chosen so that the dynamic key is aPrime
	// (if mac is the digest key): head = A′ ⊕ H1(body).
	query := func(aPrime, body []byte) *imageio.Gray {
		p := imageio.NewGray(target.Width, target.Height)
		d1 := hopfieldDigest(mac, "d1", body)
		for i := range m {
			p.Pix[i] = aPrime[i] ^ d1[i]
		}
		copy(p.Pix[m:], body)
		queries++
		return encrypt(p)
	}
	fixed := make([]byte, m) // A′ = 0
	bodies := [][]byte{make([]byte, nb), make([]byte, nb), make([]byte, nb), make([]byte, nb)}
	for i := range nb {
		bodies[1][i], bodies[2][i], bodies[3][i] = byte(i), byte(i>>8), byte(i*7+3)
	}
	var cs []*imageio.Gray
	for _, b := range bodies {
		cs = append(cs, query(fixed, b))
	}
	// The body positions: the XOR with the first ciphertext cancels the
	// (fixed) keystream and leaves the chosen body, whose values name the
	// position; the fourth body confirms it (head positions fail).
	bodyAt := make([]int, n) // cipher position → body index, −1 for the head
	seen := make([]bool, nb)
	for j := range n {
		i := int(cs[1].Pix[j]^cs[0].Pix[j]) | int(cs[2].Pix[j]^cs[0].Pix[j])<<8
		bodyAt[j] = -1
		if i < nb && !seen[i] && cs[3].Pix[j]^cs[0].Pix[j] == bodies[3][i] {
			bodyAt[j], seen[i] = i, true
		}
	}
	bodyOf := func(c *imageio.Gray) []byte {
		b := make([]byte, nb)
		for j, i := range bodyAt {
			if i >= 0 {
				b[i] = c.Pix[j]
			}
		}
		return b
	}
	// The head positions: A″ = A′ ⊕ H2(C_B) is computable for each query.
	headAt := make([]int, n)
	for j := range n {
		headAt[j] = -1
		if bodyAt[j] >= 0 {
			continue
		}
		for h := range m {
			ok := true
			for _, c := range cs {
				if d2 := hopfieldDigest(mac, "d2", bodyOf(c)); c.Pix[j] != fixed[h]^d2[h] {
					ok = false
					break
				}
			}
			if ok {
				headAt[j] = h
				break
			}
		}
	}
	// The target: its A″ and C_B, hence its A′; then the keystream of that
	// A′ (a zero body under it), hence its body and head.
	ct := encrypt(target)
	cb := bodyOf(ct)
	aPrime := make([]byte, m)
	d2 := hopfieldDigest(mac, "d2", cb)
	for j, h := range headAt {
		if h >= 0 {
			aPrime[h] = ct.Pix[j] ^ d2[h]
		}
	}
	ks := bodyOf(query(aPrime, make([]byte, nb)))
	guess := imageio.NewGray(target.Width, target.Height)
	for i := range nb {
		guess.Pix[m+i] = cb[i] ^ ks[i]
	}
	d1 := hopfieldDigest(mac, "d1", guess.Pix[m:])
	for h := range m {
		guess.Pix[h] = aPrime[h] ^ d1[h]
	}
	return guess, queries
}

func TestHopfieldUnkeyedDigestIsBroken(t *testing.T) {
	target := randomImage(3, 64, 48)
	c := MustNew(mustScheme(t, NameHopfield).GenerateKey(4)).(*hopfieldCipher)
	encrypt := func(g *imageio.Gray) *imageio.Gray { return mustEncrypt(t, c, g) }

	// Unsound: the attacker knows the digest key (as with unkeyed digests).
	guess, q := hopfieldAdaptiveCPA(t, encrypt, &c.mac, target)
	if !guess.Equal(target) {
		same, _ := diffStats(guess, target)
		t.Fatalf("with the digest key known, the attack recovered only %.1f%% of the target's samples, want all", 100-same)
	}
	t.Logf("digest key known: target recovered exactly with %d chosen plaintexts", q)

	// Sound (the cipher as it is): the digest key is secret; the attacker's
	// best guess is an unkeyed digest.
	public := sha256.Sum256(nil)
	guess, _ = hopfieldAdaptiveCPA(t, encrypt, &public, target)
	if npcr, _ := diffStats(guess, target); npcr < 95 {
		t.Errorf("with the digest key secret, the attack still got %.1f%% of the target's samples right, want about 1/256", 100-npcr)
	}
}
