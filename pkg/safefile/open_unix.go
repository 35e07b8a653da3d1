//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// openNonBlocking opens path read-only with O_NONBLOCK, which makes opening
// a FIFO return at once even when no process has it open for writing. For
// regular files and directories the flag has no effect; a FIFO or pipe is
// then read through Go's poller (reads wait for data; with no writer they
// return end of file).
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
