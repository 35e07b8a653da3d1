package cipher

import (
	"fmt"
	"testing"
)

// benchSide is the benchmark image side: 512² pixels, 0.25 MB.
const benchSide = 512

func BenchmarkEncrypt(b *testing.B) {
	img := randomImage(1, benchSide, benchSide)
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			c := mustCipher(b, name, 1)
			mustEncrypt(b, c, img) // fill the keystream cache
			b.SetBytes(int64(len(img.Pix)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Encrypt(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecrypt(b *testing.B) {
	img := randomImage(1, benchSide, benchSide)
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			c := mustCipher(b, name, 1)
			enc := mustEncrypt(b, c, img)
			b.SetBytes(int64(len(img.Pix)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := c.Decrypt(enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKeystream measures cold encryption: a new cipher per iteration,
// so the keystreams (and permutation) are generated every time.
func BenchmarkKeystream(b *testing.B) {
	img := randomImage(1, benchSide, benchSide)
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			s := mustScheme(b, name)
			k := s.GenerateKey(1)
			b.SetBytes(int64(len(img.Pix)))
			b.ReportAllocs()
			for b.Loop() {
				c, err := s.New(k)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Encrypt(img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSizes shows how steady-state "bitplane" encryption scales.
func BenchmarkSizes(b *testing.B) {
	for _, side := range []int{64, 256, 1024} {
		b.Run(fmt.Sprint(side), func(b *testing.B) {
			img := randomImage(1, side, side)
			c := mustCipher(b, NameBitplane, 1)
			mustEncrypt(b, c, img)
			b.SetBytes(int64(len(img.Pix)))
			for b.Loop() {
				c.Encrypt(img)
			}
		})
	}
}
