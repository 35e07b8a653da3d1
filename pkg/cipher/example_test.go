package cipher_test

import (
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

func Example() {
	key, err := cipher.ParseKey("bitplane:x0=0.3141592653589793,r=3.99,lx=0.1,ly=0.2,lz=0.3")
	if err != nil {
		panic(err)
	}
	c, err := cipher.New(key)
	if err != nil {
		panic(err)
	}
	img := imageio.NewGray(4, 2)
	copy(img.Pix, []uint8{10, 20, 30, 40, 50, 60, 70, 80})
	enc, err := c.Encrypt(img)
	if err != nil {
		panic(err)
	}
	dec, err := c.Decrypt(enc)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Name(), "round trip exact:", dec.Equal(img))
	fmt.Println("ciphertext differs:", !enc.Equal(img))
	fmt.Println(key.FlipBit(0))
	// Output:
	// bitplane round trip exact: true
	// ciphertext differs: true
	// bitplane:x0=0.31415926535897937,r=3.99,lx=0.1,ly=0.2,lz=0.3
}

func ExampleLookup() {
	for _, name := range cipher.Names() {
		s, _ := cipher.Lookup(name)
		k := s.GenerateKey(1) // deterministic: the same seed gives the same key
		fmt.Println(name, k.NumBits())
	}
	// Output:
	// aes-ctr 384
	// bitplane 260
	// bitplane-xor 260
	// cellular 780
	// hopfield 624
	// perm-only 256
}
