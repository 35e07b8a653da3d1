package atomicfile

import "golang.org/x/sys/unix"

// exchange swaps the folders a and b atomically (renameat2 with
// RENAME_EXCHANGE); an error means the system cannot, and the caller falls
// back to two renames.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
