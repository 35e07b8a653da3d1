package nn

import (
	"fmt"
	"strings"
	"sync"

	"github.com/gomlx/gomlx/ml/model"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// Loading trained models as ciphers (ours): what every model family whose
// trained models are ciphers (pkg/cipher's Family.Load) does the same way.

// ModelCache caches loaded models of type T by the SHA-256 of their
// weights file: a key-sensitivity test makes hundreds of ciphers of one
// model. It grows with the number of distinct models a process uses (a
// few). The zero value is ready; safe for concurrent use.
type ModelCache[T any] struct{ m sync.Map }

// Get returns the model of the weights file with hash sha, loading it with
// load on first use (concurrent first uses may both load; one result is
// kept).
func (c *ModelCache[T]) Get(sha string, load func() (T, error)) (T, error) {
	if v, ok := c.m.Load(sha); ok {
		return v.(T), nil
	}
	t, err := load()
	if err != nil {
		return t, err
	}
	v, _ := c.m.LoadOrStore(sha, t)
	return v.(T), nil
}

// RestoreWeights decodes a weights file (Checkpoint format tag format)
// read from path into a fresh store and its caller state into state
// (pointer), then calls validate (the state's own check; nil: none).
// Errors name the file and say it is not a weights file of what ("ANC",
// "GAN").
func RestoreWeights(path string, data []byte, format, what string, state any, validate func() error) (*model.Store, error) {
	name := safefile.Name(path)
	store := model.NewStore()
	ck, err := Checkpoint(store).Format(format).Done()
	if err != nil {
		return nil, err
	}
	snap, err := ck.Decode(data, state)
	if err == nil {
		err = snap.CheckFinite()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not a%s %s weights file: %w", name, article(what), what, err)
	}
	if validate != nil {
		if err := validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := snap.Restore(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return store, nil
}

func article(what string) string {
	if what != "" && strings.ContainsRune("AEIOU", rune(what[0])) {
		return "n"
	}
	return ""
}

// CheckComplete runs each of the model's networks once (runs: name → a
// call on a tiny input) and fails unless every run works and none created
// a variable: a weights file must hold exactly the variables its networks
// use, with their shapes. A missing variable would be created (freshly
// initialised, a different network on every run), a wrong shape fails;
// both are the file's fault. Errors name the file (path) and what ("ANC").
func CheckComplete(store *model.Store, path, what string, runs map[string]func() error) error {
	name := safefile.Name(path)
	before := countVariables(store)
	for who, run := range runs {
		if err := run(); err != nil {
			return fmt.Errorf("%s: not a usable %s weights file (%s): %s", name, what, who, OneLine(err.Error()))
		}
	}
	if after := countVariables(store); after != before {
		return fmt.Errorf("%s: not a complete %s weights file: the networks need %d variables it lacks", name, what, after-before)
	}
	return nil
}

// countVariables is the number of variables in the store.
func countVariables(store *model.Store) int {
	n := 0
	for range store.IterVariables() {
		n++
	}
	return n
}

// OneLine keeps the first line of a (possibly multi-line, stack-traced)
// GoMLX error.
func OneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
