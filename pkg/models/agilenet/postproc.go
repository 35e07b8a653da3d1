package agilenet

import (
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/chaos"
)

// Post is the post-processing of the agile cipher's cipher images (the
// agile paper: "two post-processing methods, obfuscation or diffusion,
// are proposed to further process the encrypted image"). Both are exact
// permutations of the 8-bit cipher image's bytes, keyed by the secret
// through chaotic maps independent of the key plane's.
type Post int

const (
	// PostNone leaves E's cipher image as it is.
	PostNone Post = iota
	// PostObfuscation permutes the pixels: c′[k] = c[π[k]], π a
	// Fisher–Yates shuffle of the image's n pixels drawn from the chaotic
	// keystream (a new π per image size, the same for every image of one
	// size and key).
	PostObfuscation
	// PostDiffusion chains an XOR through the pixels in raster order:
	// c′[k] = c[k] ⊕ s[k] ⊕ c′[k−1], c′[−1] = s[n], s the chaotic
	// keystream. A change of one pixel changes it and every later pixel.
	PostDiffusion
)

// Posts lists the post-processing forms, in order.
var Posts = []Post{PostNone, PostObfuscation, PostDiffusion}

// String is the form's name: "none", "obfuscation", "diffusion".
func (p Post) String() string {
	switch p {
	case PostNone:
		return "none"
	case PostObfuscation:
		return "obfuscation"
	case PostDiffusion:
		return "diffusion"
	}
	return fmt.Sprintf("post(%d)", int(p))
}

// postMaps is the number of logistic maps of the post-processing
// keystream (as the key plane's: PlaneMaps).
const postMaps = PlaneMaps

// keystream returns the post-processing's word stream for secret: the
// XOR of postMaps keyed Logistic maps (chaos.LogisticMix).
func keystream(secret []byte) (func() uint32, error) {
	maps, err := chaos.KeyedLogistics(digest(postDomain, secret), postMaps, PlaneRMin, PlaneRSpan)
	if err != nil {
		return nil, err
	}
	return chaos.LogisticMix(maps).Next, nil
}

// permutation is the obfuscation's π for n pixels: chaos.KeyedPermutation
// of the post-processing digest (Fisher–Yates, the swap index of step i,
// from n−1 down, drawn as ⌊w·(i+1)/2^32⌋ from the keystream's next word w).
func permutation(secret []byte, n int) ([]uint32, error) {
	return chaos.KeyedPermutation(digest(postDomain, secret), n, postMaps, PlaneRMin, PlaneRSpan)
}

// Apply post-processes the cipher pixels pix (an 8-bit image's, any
// size up to MaxPixels) under secret and returns the result; pix is not
// changed. Errors: an empty secret, too many pixels, an unknown form.
func (p Post) Apply(secret []byte, pix []byte) ([]byte, error) {
	return p.run(secret, pix, false)
}

// Invert undoes Apply exactly.
func (p Post) Invert(secret []byte, pix []byte) ([]byte, error) {
	return p.run(secret, pix, true)
}

func (p Post) run(secret, pix []byte, invert bool) ([]byte, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("agile %s: empty secret", p)
	}
	if len(pix) > MaxPixels {
		return nil, fmt.Errorf("agile %s: %d pixels: want at most %d", p, len(pix), MaxPixels)
	}
	out := make([]byte, len(pix))
	switch p {
	case PostNone:
		copy(out, pix)
	case PostObfuscation:
		perm, err := permutation(secret, len(pix))
		if err != nil {
			return nil, err
		}
		for k, pk := range perm {
			if invert {
				out[pk] = pix[k]
			} else {
				out[k] = pix[pk]
			}
		}
	case PostDiffusion:
		next, err := keystream(secret)
		if err != nil {
			return nil, err
		}
		s := make([]byte, len(pix)+1)
		for i := range s {
			s[i] = byte(next())
		}
		prev := s[len(pix)]
		for k, v := range pix {
			if invert {
				out[k] = v ^ s[k] ^ prev
				prev = v
			} else {
				out[k] = v ^ s[k] ^ prev
				prev = out[k]
			}
		}
	default:
		return nil, fmt.Errorf("agile: unknown post-processing %d", int(p))
	}
	return out, nil
}
