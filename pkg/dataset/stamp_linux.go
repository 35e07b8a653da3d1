//go:build linux

package dataset

import (
	"fmt"
	"io/fs"
	"syscall"
)

// changeStamp is a file's inode and status-change time (ctime), which no
// user-level call can set: any write, rename into place or utimes changes
// it.
func changeStamp(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	return fmt.Sprintf("/%d/%d.%09d", st.Ino, st.Ctim.Sec, st.Ctim.Nsec)
}
