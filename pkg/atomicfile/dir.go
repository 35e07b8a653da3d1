package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// WriteDir replaces the folder dir as a whole, so that it never holds part
// of one run and part of another: fill writes the new content into a fresh
// sibling folder; entries of the old folder that fill did not create are
// carried over (hard links where possible, else copies; symbolic links as
// links, never followed; stale temporaries of this package dropped); then
// the new folder takes the old one's place in one step — an atomic exchange
// where the system has one (Linux), else two renames, which the next
// WriteDir completes if it was interrupted between them. A killed run
// leaves the old folder, or the new one, never a mix.
//
// dir itself must not be a symbolic link (nothing is written through one).
func WriteDir(dir string, fill func(tmp string) error) error {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	newPrefix, oldPrefix := "."+base+".new-", "."+base+".old-"
	if err := recoverDir(dir, parent, oldPrefix); err != nil {
		return err
	}
	st, err := os.Lstat(dir)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w", safefile.Name(dir), err)
	case exists && st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: refusing to write through it (give the folder it points to)", safefile.Name(dir))
	case exists && !st.IsDir():
		return fmt.Errorf("%s exists and is not a folder", safefile.Name(dir))
	}
	removeSiblings(parent, newPrefix, oldPrefix)
	tmp, err := os.MkdirTemp(parent, newPrefix)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if err := fill(tmp); err != nil {
		return err
	}
	if exists {
		if err := carry(dir, tmp); err != nil {
			return fmt.Errorf("%s: keeping the files of earlier runs: %w", dir, err)
		}
		if err := exchange(tmp, dir); err == nil {
			done = true
			syncDir(parent)
			return os.RemoveAll(tmp) // now the old folder
		}
		old, err := os.MkdirTemp(parent, oldPrefix)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		os.Remove(old)
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.Rename(old, dir) // put the old folder back
			return fmt.Errorf("%s: %w", dir, err)
		}
		done = true
		syncDir(parent)
		return os.RemoveAll(old)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	done = true
	syncDir(parent)
	return nil
}

// recoverDir completes a WriteDir interrupted between its two renames: the
// folder is missing and its old copy is still there.
func recoverDir(dir, parent, oldPrefix string) error {
	if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	ents, _ := os.ReadDir(parent)
	var olds []string
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), oldPrefix) {
			olds = append(olds, filepath.Join(parent, e.Name()))
		}
	}
	if len(olds) == 0 {
		return nil
	}
	sort.Slice(olds, func(i, j int) bool { return modTime(olds[i]).After(modTime(olds[j])) })
	if err := os.Rename(olds[0], dir); err != nil {
		return fmt.Errorf("%s: restoring it from %s: %w", dir, olds[0], err)
	}
	return nil
}

func modTime(p string) time.Time {
	st, err := os.Stat(p)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// removeSiblings removes what interrupted WriteDirs left beside the folder.
func removeSiblings(parent string, prefixes ...string) {
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		for _, p := range prefixes {
			if strings.HasPrefix(e.Name(), p) {
				os.RemoveAll(filepath.Join(parent, e.Name()))
			}
		}
	}
}

// IsTemp reports whether a file name is one of this package's temporary
// files (".<name>.tmp-<random>"), left behind only by a killed writer.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-")
}

// carry links (or copies) into dst every entry of src that dst lacks,
// recursively; symbolic links are recreated, not followed; temporaries and
// other special files are dropped.
func carry(src, dst string) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if IsTemp(e.Name()) {
			continue
		}
		s, d := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		dstInfo, err := os.Lstat(d)
		have := err == nil
		switch t := e.Type(); {
		case t&fs.ModeSymlink != 0:
			if have {
				continue
			}
			target, err := os.Readlink(s)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, d); err != nil {
				return err
			}
		case t.IsDir():
			if have && !dstInfo.IsDir() {
				continue // the new run made a file of that name
			}
			if !have {
				if err := os.Mkdir(d, 0o755); err != nil {
					return err
				}
			}
			if err := carry(s, d); err != nil {
				return err
			}
		case t.IsRegular():
			if have {
				continue
			}
			if err := os.Link(s, d); err != nil {
				if err := copyFile(s, d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	return Write(dst, st.Mode().Perm(), func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// CleanStale removes this package's temporary files in dir (not below it)
// that are older than age: those of writers killed mid-write. Younger ones
// may belong to a writer still at work and are kept.
func CleanStale(dir string, age time.Duration) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || !IsTemp(e.Name()) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
