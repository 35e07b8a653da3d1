package ancnet

import (
	"bytes"
	"context"
	"slices"
	"testing"
)

// TestHistoryDuringTrainAndLoadModel trains a few rounds, watching the
// curves grow from onRound, then reloads the weights and checks that the
// loaded Alice and Bob are the trained ones.
func TestHistoryDuringTrainAndLoadModel(t *testing.T) {
	for _, v := range []Variant{ANC, CPA} {
		t.Run(string(v), func(t *testing.T) {
			cfg := DefaultConfig(v, 8, 6)
			cfg.Batch, cfg.EvalEvery, cfg.EvalBlocks, cfg.EvePerRound = 32, 2, 64, 1
			m, err := NewModel(goBackend(t), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if h := m.History(); len(h.Step) != 0 {
				t.Fatalf("history before Train: %v", h.Step)
			}
			var seen []int
			h, err := m.Train(context.Background(), func(round int) { seen = append(seen, len(m.History().Step)) })
			if err != nil {
				t.Fatal(err)
			}
			// Points are recorded before rounds 0, 2, 4 and after the last.
			if want := []int{1, 1, 2, 2, 3, 3}; !slices.Equal(seen, want) {
				t.Errorf("points seen from onRound %v, want %v", seen, want)
			}
			if got := m.History(); !slices.Equal(got.Step, h.Step) || len(got.Step) != 4 || !slices.Equal(got.Bob, h.Bob) {
				t.Errorf("History() after Train = %+v, Train returned %+v", got, *h)
			}
			w, err := m.Weights()
			if err != nil {
				t.Fatal(err)
			}
			l, err := LoadModel(goBackend(t), w)
			if err != nil {
				t.Fatal(err)
			}
			if l.Config() != cfg {
				t.Errorf("loaded config %+v, want %+v", l.Config(), cfg)
			}
			key := NewKey(cfg.N, 3)
			plain := []byte("Hi, Bob!!") // 72 bits: 9 blocks of 8
			want, err := m.SendMessage(plain, key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.SendMessage(plain, key)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Cipher, want.Cipher) || !bytes.Equal(got.Decoded, want.Decoded) {
				t.Errorf("loaded model: cipher %x decoded %q; trained model: %x %q", got.Cipher, got.Decoded, want.Cipher, want.Decoded)
			}
			if _, err := l.SecurityTest(context.Background(), SecurityConfig{Attack: ChosenPlaintext, Restarts: 1, Steps: 2, Batch: 16, TestBlocks: 64, Seed: 1}); err != nil {
				t.Errorf("security test of the loaded Alice: %v", err)
			}
			if _, err := LoadModel(goBackend(t), w[:len(w)-1]); err == nil {
				t.Error("truncated weights file loaded")
			}
		})
	}
}

// TestSendMessageBits checks SendMessage's bit layout and bookkeeping on an
// untrained model (whose Bob gets bits wrong).
func TestSendMessageBits(t *testing.T) {
	cfg := DefaultConfig(CPA, 6, 1)
	m, err := NewModel(goBackend(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	key := NewKey(6, 9)
	if len(key) != 1 || key[0]>>6 != 0 {
		t.Fatalf("6-bit key %08b: want one byte with its top two bits clear", key)
	}
	plain := []byte("ab") // 16 bits → 3 blocks of 6, 2 padding bits
	msg, err := m.SendMessage(plain, key)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Blocks != 3 || len(msg.Cipher) != 3 || len(msg.Decoded) != 2 {
		t.Fatalf("blocks %d, cipher %d bytes, decoded %d bytes; want 3, 3 (18 bits), 2", msg.Blocks, len(msg.Cipher), len(msg.Decoded))
	}
	errs := 0
	for i := range plain {
		errs += popcount(plain[i] ^ msg.Decoded[i])
	}
	if errs != msg.BitErrors {
		t.Errorf("BitErrors %d, but Decoded %q differs from %q in %d bits", msg.BitErrors, msg.Decoded, plain, errs)
	}
	// The cipher bits are Alice's rounded outputs on the padded blocks.
	p, k := make([]float32, 18), make([]float32, 18)
	for i := range p {
		if i < 16 {
			p[i] = Encode(CPA, uint64(plain[i/8]>>(7-i%8)))
		}
		k[i] = Encode(CPA, uint64(key[0]>>(i%6)))
	}
	c, err := m.Encrypt(p, k, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range c {
		if got := uint64(msg.Cipher[i/8]>>(7-i%8)) & 1; got != Decode(CPA, x) {
			t.Fatalf("cipher bit %d = %d, Alice's output %g", i, got, x)
		}
	}
	if _, err := m.SendMessage(plain, nil); err == nil {
		t.Error("message with no key accepted")
	}
	if _, err := m.Decrypt(c, k, 2); err == nil {
		t.Error("Decrypt with the wrong block count accepted")
	}
}

func popcount(b byte) int {
	n := 0
	for ; b != 0; b &= b - 1 {
		n++
	}
	return n
}
