package survey

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/neurocrypt/neurocrypt/pkg/battery"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
)

// Family is one of the survey's four families of neural image ciphers and
// the scheme classes (cipher.ClassOf) that stand for it in its claims.
type Family struct {
	// Name is the family as the survey's tables name it.
	Name string
	// Classes are the scheme classes judged as this family.
	Classes []cipher.Class
	// Missing says why the family's claims are not applicable when no
	// (non-control) scheme of these classes is registered.
	Missing string
}

// The survey's families. Source: the survey's §2 and Tables 1–2.
var (
	// ChaoticNN counts, beside the Hopfield-type "chaotic NN" class, the
	// "chaotic map" class (the bit-plane ciphers): the survey's §2.1 lists
	// "chaotic neural network based on input perturbation: encryption of
	// images by chaotic mapping of input data", and §3.1.1 names Logistic
	// and Lorenz systems as its key generators — exactly the bit-plane
	// keystreams.
	ChaoticNN = Family{Name: "chaotic NN", Classes: []cipher.Class{cipher.ClassChaoticNN, cipher.ClassChaotic},
		Missing: "no chaotic-NN or chaotic-map cipher is registered"}
	// CellularNN is the "cellular NN" class.
	CellularNN = Family{Name: "cellular NN", Classes: []cipher.Class{cipher.ClassCellularNN},
		Missing: "no cellular-NN cipher is registered yet"}
	// ConvolutionalNN is the "convolutional NN" class.
	ConvolutionalNN = Family{Name: "convolutional NN", Classes: []cipher.Class{cipher.ClassConvolutionalNN},
		Missing: "no convolutional-NN cipher is registered (the agile experiment trains and binds one when there is a GoMLX backend)"}
	// GAN is the "GAN" class. The "adversarial NN" class (Abadi–Andersen
	// ANC, trained Alice/Bob/Eve) is not a GAN in the survey's sense
	// (§2.4: a generator and a discriminator of ciphertexts) and is shown
	// but not judged.
	GAN = Family{Name: "GAN", Classes: []cipher.Class{cipher.ClassGAN},
		Missing: "no GAN cipher is registered (the gan experiment trains and binds one when there is a GoMLX backend)"}
)

// Families lists the survey's families in table order.
var Families = []Family{ChaoticNN, CellularNN, ConvolutionalNN, GAN}

// classOrder is the column order of the aspect table: the survey's
// families first, then the schemes measured beside them; classes not
// listed follow, sorted by name.
var classOrder = []cipher.Class{cipher.ClassChaoticNN, cipher.ClassChaotic, cipher.ClassCellularNN,
	cipher.ClassConvolutionalNN, cipher.ClassGAN, cipher.ClassAdversarial, cipher.ClassClassical, cipher.ClassUnknown}

// described is one measured cipher: its scheme, class and the key the
// battery used.
type described struct {
	name     string
	scheme   cipher.Scheme
	class    cipher.Class
	control  bool
	key      cipher.Key
	c        cipher.Cipher
	keyBits  float64 // log2 of the key space; NaN: not stated
	keyBasis string
}

// column is the aspect-table heading of the cipher: class and name.
func (d described) column() string {
	s := string(d.class) + ": " + d.name
	if d.control {
		s += " (control)"
	}
	return s
}

// describe looks up every cipher of the battery, with the battery's key,
// and orders them by class (classOrder) then name.
func describe(bt *battery.Battery) ([]described, error) {
	var out []described
	for _, name := range bt.Names() {
		s, err := cipher.Lookup(name)
		if err != nil {
			return nil, err
		}
		k, err := s.ParseKey(bt.Key(name))
		if err != nil {
			return nil, fmt.Errorf("%s: the battery's key: %w", name, err)
		}
		c, err := s.New(k)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		d := described{name: name, scheme: s, class: cipher.ClassOf(s), control: cipher.IsControl(s), key: k, c: c, keyBits: math.NaN()}
		if ks, ok := s.(cipher.KeySpacer); ok {
			sp := ks.KeySpace()
			d.keyBits, d.keyBasis = sp.Bits, sp.Basis
		}
		out = append(out, d)
	}
	rank := func(c cipher.Class) int {
		if i := slices.Index(classOrder, c); i >= 0 {
			return i
		}
		return len(classOrder)
	}
	slices.SortStableFunc(out, func(a, b described) int {
		if ra, rb := rank(a.class), rank(b.class); ra != rb {
			return ra - rb
		}
		if a.class != b.class {
			return cmp.Compare(string(a.class), string(b.class))
		}
		return cmp.Compare(a.name, b.name)
	})
	return out, nil
}

// members returns the indices (into ms) of the non-control ciphers that
// stand for family f.
func members(ms []described, f Family) []int {
	var out []int
	for i, d := range ms {
		if !d.control && slices.Contains(f.Classes, d.class) {
			out = append(out, i)
		}
	}
	return out
}
