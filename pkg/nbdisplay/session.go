package nbdisplay

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// gonbTmpDirEnv is set by GoNB to the kernel session's temporary directory.
const gonbTmpDirEnv = "GONB_TMP_DIR"

var (
	keptMu sync.Mutex
	kept   = map[string][]byte{} // outside a notebook
)

// Keep stores v (gob-encoded: exact for NaN and ±Inf, which results may
// hold; v must be gob-encodable) under name for later cells of the same kernel
// session. Each GoNB cell is a new program, so a result computed in one
// cell is gone in the next: the cell that runs an experiment keeps its
// result, and the cells that show parts of it call Kept. Outside a
// notebook the value is kept in memory.
func Keep(name string, v any) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return fmt.Errorf("keeping %q: %w", name, err)
	}
	b := buf.Bytes()
	dir := os.Getenv(gonbTmpDirEnv)
	if dir == "" {
		keptMu.Lock()
		kept[name] = b
		keptMu.Unlock()
		return nil
	}
	if err := os.WriteFile(keptPath(dir, name), b, 0o600); err != nil {
		return fmt.Errorf("keeping %q: %w", name, err)
	}
	return nil
}

// Kept returns the value stored by Keep under name. It is an error when
// nothing was kept under that name in this kernel session (run the cell
// that computes it first).
func Kept[T any](name string) (T, error) {
	var v T
	var b []byte
	if dir := os.Getenv(gonbTmpDirEnv); dir != "" {
		var err error
		if b, err = os.ReadFile(keptPath(dir, name)); err != nil {
			return v, fmt.Errorf("nothing kept under %q in this kernel session: run the cell that computes it first (%v)", name, err)
		}
	} else {
		keptMu.Lock()
		b = kept[name]
		keptMu.Unlock()
		if b == nil {
			return v, fmt.Errorf("nothing kept under %q: call Keep first", name)
		}
	}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v); err != nil {
		return v, fmt.Errorf("reading kept %q: %w", name, err)
	}
	return v, nil
}

func keptPath(dir, name string) string {
	return filepath.Join(dir, "neurocrypt-kept-"+filepath.Base(name)+".gob")
}
