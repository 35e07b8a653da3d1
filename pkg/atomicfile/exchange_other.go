//go:build !linux

package atomicfile

import "errors"

// exchange is not available here: WriteDir uses two renames.
func exchange(a, b string) error { return errors.New("no atomic exchange") }
