package recognition

import (
	"fmt"
	"sync"

	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
	"github.com/neurocrypt/neurocrypt/pkg/stego"
)

// Task is one recognition task: what the classes are and how each crop
// becomes one sample per class (so that every class is built from the
// same source crops, and the train/test split by source image holds for
// every class).
type Task struct {
	// ID names the task in unit keys and figure names; Title in the report.
	ID, Title string
	// Classes are the class names, in label order.
	Classes []string
	// Label turns one crop into its samples.
	Label dataset.Labeler
}

// Task IDs.
const (
	TaskBinary   = "binary"
	TaskCipherID = "cipher-id"
	TaskStego    = "steganalysis"
)

// Ciphers are the schemes of the tasks: every registered scheme except
// bound trained ones ("<family>/<tag>": they exist only after a training
// run, so the class list would depend on what else ran), sorted. It
// includes the paper-as-written bitplane-xor (a keystream XOR: single
// crops should not give it away unless its keystream is weak) and the
// deliberately weak control cipher(s) (cipher.IsControl: the positive
// control, which keeps the plain histogram).
func Ciphers() []string { return cipher.KeyNames() }

// KeysPerCipher is the number of keys each cipher encrypts one split's
// crops under: a source image's crops all use key hash(image) mod
// KeysPerCipher of its split's pool, and the training and test pools are
// disjoint (a model must not recognise a key it saw in training: AES-CTR's
// IV is part of its key, so one key gives every crop the same keystream).
// A pool rather than a key per crop because the chaotic-NN and cellular-NN
// ciphers spend about 0.2 s setting up a key (their networks' transients)
// and 1 ms encrypting a 32² crop; the pools' ciphers are set up once per
// run and every epoch of every model reuses them. Ours.
const KeysPerCipher = 16

// encryptor encrypts crops under the run's key pool (deterministic: every
// epoch sees the same cipher image). It is safe for concurrent use.
type encryptor struct {
	seed    uint64
	test    map[string]bool // the test split's source images
	mu      sync.Mutex
	schemes map[string]cipher.Scheme
	ciphers map[string][]cipher.Cipher // by scheme, by pool slot (nil until used)
}

func newEncryptor(seed uint64, names, testIDs []string) (*encryptor, error) {
	e := &encryptor{seed: seed, test: map[string]bool{}, schemes: map[string]cipher.Scheme{}, ciphers: map[string][]cipher.Cipher{}}
	for _, id := range testIDs {
		e.test[id] = true
	}
	for _, n := range names {
		s, err := cipher.Lookup(n)
		if err != nil {
			return nil, err
		}
		e.schemes[n] = s
		e.ciphers[n] = make([]cipher.Cipher, 2*KeysPerCipher)
	}
	return e, nil
}

// slot is the pool slot of a source image's key: 0..KeysPerCipher−1 for
// training images, KeysPerCipher.. for test images.
func (e *encryptor) slot(imageID string) int {
	k := int(seeds.Sub(e.seed, "key index", imageID) % KeysPerCipher)
	if e.test[imageID] {
		k += KeysPerCipher
	}
	return k
}

// key is scheme name's key in pool slot k.
func (e *encryptor) key(name string, k int) cipher.Key {
	return e.schemes[name].GenerateKey(seeds.Sub(e.seed, "key", name, k))
}

// encrypt returns crop c encrypted by scheme name under its source
// image's key.
func (e *encryptor) encrypt(name string, c dataset.Crop) (*imageio.Gray, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := e.slot(c.ImageID)
	ci := e.ciphers[name][k]
	if ci == nil {
		var err error
		if ci, err = cipher.New(e.key(name, k)); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		e.ciphers[name][k] = ci
	}
	return ci.Encrypt(c.Image)
}

// withImage is c with another image.
func withImage(c dataset.Crop, g *imageio.Gray) dataset.Crop {
	c.Image = g
	return c
}

// Tasks returns the three tasks over the given ciphers, keyed from seed
// (the test split's source images, testIDs, get keys of their own):
//
//   - binary: the crop (class 0, "plain") and the crop encrypted by one of
//     the ciphers, chosen per crop by a seeded hash (class 1,
//     "encrypted");
//   - cipher identification: the crop encrypted by each cipher (class i:
//     ciphers[i]), plain excluded, balanced;
//   - steganalysis: the crop (class 0, "cover") and its ±1 LSB-matching
//     stego image at stego.DefaultRate bits per pixel (class 1, "stego").
func Tasks(seed uint64, ciphers, testIDs []string) ([]Task, error) {
	if len(ciphers) < 2 {
		return nil, fmt.Errorf("recognition: %d ciphers: want at least 2 to identify", len(ciphers))
	}
	enc, err := newEncryptor(seeds.Sub(seed, "encrypt"), ciphers, testIDs)
	if err != nil {
		return nil, err
	}
	binary := func(c dataset.Crop) ([]dataset.Sample, error) {
		name := ciphers[seeds.Sub(seed, "which cipher", c.ImageID, c.X, c.Y)%uint64(len(ciphers))]
		g, err := enc.encrypt(name, c)
		if err != nil {
			return nil, err
		}
		return []dataset.Sample{{Crop: c, Label: 0}, {Crop: withImage(c, g), Label: 1}}, nil
	}
	identify := func(c dataset.Crop) ([]dataset.Sample, error) {
		out := make([]dataset.Sample, len(ciphers))
		for i, name := range ciphers {
			g, err := enc.encrypt(name, c)
			if err != nil {
				return nil, err
			}
			out[i] = dataset.Sample{Crop: withImage(c, g), Label: i}
		}
		return out, nil
	}
	steg := func(c dataset.Crop) ([]dataset.Sample, error) {
		g, err := stego.LSBMatching(c.Image, stego.DefaultRate, seeds.Sub(seed, "stego", c.ImageID, c.X, c.Y))
		if err != nil {
			return nil, err
		}
		return []dataset.Sample{{Crop: c, Label: 0}, {Crop: withImage(c, g), Label: 1}}, nil
	}
	return []Task{
		{ID: TaskBinary, Title: "plain vs encrypted", Classes: []string{"plain", "encrypted"}, Label: binary},
		{ID: TaskCipherID, Title: "which cipher", Classes: append([]string(nil), ciphers...), Label: identify},
		{ID: TaskStego, Title: fmt.Sprintf("cover vs ±1 LSB matching at %.1f bpp", stego.DefaultRate), Classes: []string{"cover", "stego"}, Label: steg},
	}, nil
}
