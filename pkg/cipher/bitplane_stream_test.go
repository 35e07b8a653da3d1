package cipher

import (
	"slices"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
)

// referenceStreams is the direct construction the chunked compute must
// equal: both stage-1 halves and all n shuffle words held at once.
func referenceStreams(p ChaosParams, n int) (ks []byte, perm []uint32, z []byte, sbox [256]byte) {
	lss := chaos.MustNewLogisticSine(p.R, p.X0)
	lor := chaos.MustNewLorenz(p.LX, p.LY, p.LZ)
	lss.Skip(chaos.MapTransient)
	lor.Skip(chaos.LorenzTransient)
	half := (n + 1) / 2
	a := make([]byte, 2*half)
	lss.FillBytes(a[:half])
	lor.FillBytes(a[half:])
	ks = make([]byte, n)
	for i := range ks {
		sh := 4 * uint(i&1)
		ks[i] = (a[i/2]>>sh)&0x0F | ((a[half+i/2]>>sh)&0x0F)<<4
	}
	w := make([]uint32, max(n, 256))
	lss.FillWords(w[:n])
	perm = make([]uint32, n)
	for i := range perm {
		perm[i] = uint32(i)
	}
	for i := n - 1; i > 0; i-- {
		j := uint32(uint64(w[i]) * uint64(i+1) >> 32)
		perm[i], perm[j] = perm[j], perm[i]
	}
	lss.FillWords(w[:256])
	for i := range sbox {
		sbox[i] = byte(i)
	}
	for i := 255; i > 0; i-- {
		j := uint32(uint64(w[i]) * uint64(i+1) >> 32)
		sbox[i], sbox[j] = sbox[j], sbox[i]
	}
	z = make([]byte, 2*n+2)
	lor.FillBytes(z)
	return ks, perm, z, sbox
}

// TestChunkedStreamsEqualTheDirectConstruction: compute makes its streams
// chunk by chunk (and the shuffle words last chunk first) to bound its
// memory; the streams are exactly those of the direct construction, at
// chunk boundaries and away from them.
func TestChunkedStreamsEqualTheDirectConstruction(t *testing.T) {
	defer func(c int) { streamChunk = c }(streamChunk)
	s, err := Lookup(NameBitplane)
	if err != nil {
		t.Fatal(err)
	}
	p := s.GenerateKey(11).(BitplaneKey).ChaosParams
	for _, chunk := range []int{256, 300, streamChunkDefault} {
		streamChunk = chunk
		for _, n := range []int{1, 2, 3, 255, 256, 257, 299, 300, 301, 599, 600, 601, 1000, 3*chunk + 7} {
			ks, perm, z, sbox := referenceStreams(p, n)
			var xor, full streams
			xor.compute(p, n, false)
			full.compute(p, n, true)
			if !slices.Equal(xor.ks, ks) {
				t.Fatalf("chunk %d, n %d: stage-1 keystream differs", chunk, n)
			}
			if !slices.Equal(full.perm, perm) || full.sbox != sbox || full.iv1 != z[0] || full.iv2 != z[n+1] || !slices.Equal(full.k2, z[n+2:]) {
				t.Fatalf("chunk %d, n %d: permutation, S-box or key planes differ", chunk, n)
			}
			for k, pk := range perm {
				if full.kk[k] != z[1+k]^ks[pk] {
					t.Fatalf("chunk %d, n %d: kk[%d] differs", chunk, n, k)
				}
			}
		}
	}
}
