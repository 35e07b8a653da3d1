package survey

import (
	"context"
	"fmt"

	"github.com/neurocrypt/neurocrypt/pkg/attack"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/results"
	"github.com/neurocrypt/neurocrypt/pkg/seeds"
)

// AttackTablePrefix starts the name of every attack table ("attacks
// <cipher>", attack.Table).
const AttackTablePrefix = "attacks "

// Labels of the two attack tables of a nonce-keyed scheme.
const (
	freshNonce  = " (fresh nonce)"
	reusedNonce = " (reused nonce)"
)

// firstCrops returns the first n crops of a split, in plan order.
func firstCrops(ctx context.Context, plan *dataset.Plan, split dataset.Split, n int) ([]*imageio.Gray, error) {
	var out []*imageio.Gray
	if n <= 0 {
		return nil, nil
	}
	for c, err := range plan.Stream(ctx, split) {
		if err != nil {
			return nil, err
		}
		out = append(out, c.Image)
		if len(out) == n {
			break
		}
	}
	return out, nil
}

// attackTables runs the attack suite (pkg/attack) on every cipher under
// the battery's key: the target is the first test crop, the known pairs
// the first spec.KnownPairs training crops (other source images, so never
// the target). A scheme whose key carries a nonce (cipher.NonceKey) gets
// two tables: a fresh nonce per message, and the key's nonce reused. It
// returns the tables and a note saying what was attacked.
func attackTables(ctx context.Context, plan *dataset.Plan, cs []described, spec Settings, seed uint64) ([]results.Table, string, error) {
	target, err := firstCrops(ctx, plan, dataset.Test, 1)
	if err != nil || len(target) == 0 {
		return nil, "", fmt.Errorf("attacks: no test crop to attack (%v)", err)
	}
	known, err := firstCrops(ctx, plan, dataset.Train, spec.KnownPairs)
	if err != nil {
		return nil, "", fmt.Errorf("attacks: %w", err)
	}
	var ts []results.Table
	for _, d := range cs {
		runs := []struct {
			label string
			fresh bool
		}{{d.name, false}}
		if _, ok := d.key.(cipher.NonceKey); ok {
			runs = []struct {
				label string
				fresh bool
			}{{d.name + freshNonce, true}, {d.name + reusedNonce, false}}
		}
		for _, r := range runs {
			outs, err := attack.Run(ctx, d.scheme, d.key, target[0], known,
				attack.Config{Seed: seeds.Sub(seed, d.name), FreshNonce: r.fresh, KnownPairs: len(known)})
			if err != nil {
				return nil, "", fmt.Errorf("attacks on %s: %w", r.label, err)
			}
			ts = append(ts, attack.Table(r.label, outs))
		}
	}
	note := fmt.Sprintf("Attacks (pkg/attack, tables \"%s<cipher>\"): each cipher under the key the battery used, the target the first test crop, "+
		"%d known plaintext/ciphertext pairs from the first training crops (other source images). A scheme whose key carries a nonce "+
		"(AES-CTR's IV) is attacked twice: with a fresh nonce per message, sent in the clear (the sound use of CTR mode), and with the "+
		"key's nonce reused for every image (how the registered key encrypts by default, and how the battery measures it).",
		AttackTablePrefix, len(known))
	return ts, note, nil
}
