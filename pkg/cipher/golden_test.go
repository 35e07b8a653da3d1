package cipher

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
)

// TestGoldenCiphertexts pins the ciphertexts of the chaotic schemes: a ciphertext made on one machine must decrypt on another, so
// their orbits must be the same bit for bit on every CPU (pkg/chaos
// computes tanh, exp and log itself for that). A change here means old
// ciphertexts no longer decrypt: say so in the commit. The digests were
// computed on linux/amd64.
func TestGoldenCiphertexts(t *testing.T) {
	img := imageio.NewGray(37, 29)
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + i/37)
	}
	for _, c := range []struct{ line, want string }{
		{"hopfield:x1=0.1,x2=0.2,x3=0.3,w11=2,w12=-1.2,w13=0,w21=2,w22=1.71,w23=1.15,w31=-4.75,w32=0,w33=1.1", goldenHopfield},
		{"cellular:" + cellularDefaultKeyBody, goldenCellular},
		{"bitplane:x0=0.3141592653589793,r=3.99,lx=0.1,ly=0.2,lz=0.3", goldenBitplane},
	} {
		k, err := ParseKey(c.line)
		if err != nil {
			t.Fatal(err)
		}
		enc := mustEncrypt(t, MustNew(k), img)
		sum := sha256.Sum256(enc.Pix)
		if got := hex.EncodeToString(sum[:]); got != c.want {
			t.Errorf("%s: ciphertext SHA-256 %s, want %s", k.Scheme(), got, c.want)
		}
	}
	// The raw keystreams of the published systems, too.
	h := chaos.MustNewHopfield(chaos.HopfieldParams{W: chaos.HopfieldW, X0: [3]float64{0.1, 0.2, 0.3}})
	cn := chaos.MustNewCellular(chaos.CellularDefault)
	for _, c := range []struct {
		name string
		fill func([]byte)
		want string
	}{{"hopfield", h.FillBytes, goldenHopfieldStream}, {"cellular", cn.FillBytes, goldenCellularStream}} {
		b := make([]byte, 4096)
		c.fill(b)
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != c.want {
			t.Errorf("%s keystream SHA-256 %s, want %s", c.name, got, c.want)
		}
	}
}

// cellularDefaultKeyBody is the key of the published network with x1…x4 = 0.1.
var cellularDefaultKeyBody = func() string {
	k := CellularKey{chaos.CellularDefault}
	return k.String()[len("cellular:"):]
}()

const (
	goldenBitplane       = "37a924d3f5926b8ab89c001ade9147626492931a19f9be544e5a264ee96e8ceb"
	goldenHopfield       = "21c23d4f0642c5867f8e51160050cbac1db659e002776f32f583d1e5c0f45ed5"
	goldenCellular       = "9ca0f7b9711620933dc4d6ec00a4f7c44ccf4fa3258dad6f05640fdc546be1a9"
	goldenHopfieldStream = "dee917169a154a1bbb678faa1d8c985ec0fc6bee26add2720dd06fadfc94fd41"
	goldenCellularStream = "0250cbd28d4dbb6edaf36c054ad4c1c79e6cda5ceb8e66b221cbe33a67a8b02d"
)
