//go:build !linux

package dataset

import "io/fs"

// changeStamp is empty where the status-change time is not read: the
// folder's fingerprint is then size and modification time.
func changeStamp(fs.FileInfo) string { return "" }
