package dataset

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// BOSSbase 1.01 as distributed: BOSSbase_1.01/1.pgm … BOSSbase_1.01/10000.pgm,
// each a 512×512 binary PGM with maxval 255.
const (
	BOSSCount   = 10000
	BOSSSize    = 512
	BOSSDirName = "BOSSbase_1.01"
	// bossReportLimit is how many problems a strict-mode error lists.
	bossReportLimit = 5
	// bossListLimit is how many names per category Verification.String lists.
	bossListLimit = 20
	// maxBOSSFileBytes bounds what is read of one image file: the 512² P5
	// raster and a header of at most imageio.MaxHeaderBytes. A zip member
	// declaring more is corrupt without being decompressed.
	maxBOSSFileBytes = BOSSSize*BOSSSize + imageio.MaxHeaderBytes
)

// BOSSOptions configures OpenBOSSbase.
type BOSSOptions struct {
	// Strict makes any missing, corrupt or wrong-size file an error. By
	// default such files are skipped and reported by Skipped.
	Strict bool
	// Expected is the number of images, named 1.pgm..<Expected>.pgm;
	// 0 means BOSSCount. Tests use small values.
	Expected int
}

// ProblemKind classifies a BOSSbase file problem.
type ProblemKind string

// The kinds of problem VerifyBOSSbase reports.
const (
	Missing   ProblemKind = "missing"
	Corrupt   ProblemKind = "corrupt"    // unreadable, bad header, not 8-bit P5, truncated
	WrongSize ProblemKind = "wrong size" // a valid PGM that is not 512×512
)

// Problem is one bad BOSSbase file.
type Problem struct {
	File   string // base name, e.g. "17.pgm"
	Kind   ProblemKind
	Detail string // e.g. "truncated: 1000 of 262159 bytes"
}

// String is "<file>: <kind>[: <detail>]", the file name quoted (%q): names
// come from a folder or zip and are never printed raw.
func (p Problem) String() string {
	if p.Detail == "" {
		return strconv.Quote(p.File) + ": " + string(p.Kind)
	}
	return strconv.Quote(p.File) + ": " + string(p.Kind) + ": " + p.Detail
}

// Verification is the result of checking a BOSSbase folder or zip: the
// number of files, and each file's PGM header, size and length. There are
// no per-file checksums to check against (the distribution publishes
// none), so a file with a valid header and enough bytes counts as valid;
// its pixels are decoded only when loaded.
type Verification struct {
	Path     string // the folder or zip as given
	Root     string // where the images were found: a folder, or "zip:member-dir/"
	Expected int
	// Valid lists the good files by number order ("1.pgm", "2.pgm", ...).
	Valid []string
	// Missing, Corrupt and WrongSize list the problems, in number order.
	Missing   []string
	Corrupt   []Problem
	WrongSize []Problem
	// Extra lists files next to the images that are not 1..Expected.pgm.
	// They are reported but ignored, and are not an error even in strict mode.
	Extra []string
}

// OK reports whether every expected file is present and valid.
func (v *Verification) OK() bool {
	return len(v.Missing) == 0 && len(v.Corrupt) == 0 && len(v.WrongSize) == 0
}

// Problems returns every missing, corrupt and wrong-size file, in number order.
func (v *Verification) Problems() []Problem {
	var ps []Problem
	for _, m := range v.Missing {
		ps = append(ps, Problem{File: m, Kind: Missing})
	}
	ps = append(ps, v.Corrupt...)
	ps = append(ps, v.WrongSize...)
	sort.SliceStable(ps, func(i, j int) bool { return fileNumber(ps[i].File) < fileNumber(ps[j].File) })
	return ps
}

// Summary is a one-line count, e.g. "9997 of 10000 valid: 1 missing, 1 corrupt, 1 wrong size, 0 extra".
func (v *Verification) Summary() string {
	return fmt.Sprintf("%d of %d valid: %d missing, %d corrupt, %d wrong size, %d extra",
		len(v.Valid), v.Expected, len(v.Missing), len(v.Corrupt), len(v.WrongSize), len(v.Extra))
}

// String is a readable multi-line report.
func (v *Verification) String() string {
	var b strings.Builder
	status := "OK"
	if !v.OK() {
		status = "PROBLEMS"
	}
	fmt.Fprintf(&b, "BOSSbase verification of %s: %s\n", safefile.Name(v.Path), status)
	fmt.Fprintf(&b, "  images found in: %s\n", safefile.Name(v.Root))
	fmt.Fprintf(&b, "  %s\n", v.Summary())
	sums := "no per-file checksums exist to check"
	if strings.HasPrefix(v.Root, "zip:") {
		sums = "every member read to its end against its CRC-32"
	}
	fmt.Fprintf(&b, "  checked: file count, PGM header (binary P5, maxval 255), %dx%d size, file length; %s\n", BOSSSize, BOSSSize, sums)
	list := func(title string, files int, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "  %s (%d files):\n", title, files)
		for i, it := range items {
			if i == bossListLimit {
				fmt.Fprintf(&b, "    ... and %d more\n", len(items)-i)
				break
			}
			fmt.Fprintf(&b, "    %s\n", it)
		}
	}
	strs := func(ps []Problem) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = strconv.Quote(p.File) + ": " + p.Detail
		}
		return out
	}
	extra := make([]string, len(v.Extra))
	for i, e := range v.Extra {
		extra[i] = strconv.Quote(e) // names come from the folder or zip: never printed raw
	}
	list("missing", len(v.Missing), numberRanges(v.Missing))
	list("corrupt", len(v.Corrupt), strs(v.Corrupt))
	list("wrong size", len(v.WrongSize), strs(v.WrongSize))
	list("extra (ignored)", len(v.Extra), extra)
	return b.String()
}

// numberRanges collapses runs of consecutive numbered names:
// ["3.pgm", "4.pgm", "5.pgm", "9.pgm"] → ["3.pgm … 5.pgm (3 files)", "9.pgm"].
func numberRanges(names []string) []string {
	var out []string
	for i := 0; i < len(names); {
		j := i
		for j+1 < len(names) && fileNumber(names[j+1]) == fileNumber(names[j])+1 && fileNumber(names[j]) > 0 {
			j++
		}
		if j == i {
			out = append(out, names[i])
		} else {
			out = append(out, fmt.Sprintf("%s … %s (%d files)", names[i], names[j], j-i+1))
		}
		i = j + 1
	}
	return out
}

// err is the strict-mode error: one line with counts and the first problems.
func (v *Verification) err() error {
	ps := v.Problems()
	first := make([]string, 0, bossReportLimit)
	for i := 0; i < len(ps) && i < bossReportLimit; i++ {
		first = append(first, ps[i].String())
	}
	more := ""
	if len(ps) > bossReportLimit {
		more = fmt.Sprintf("; and %d more", len(ps)-bossReportLimit)
	}
	return fmt.Errorf("BOSSbase %s failed verification (%s): %s%s", safefile.Name(v.Path), v.Summary(), strings.Join(first, "; "), more)
}

// bossStore abstracts the folder and the zip.
type bossStore interface {
	// files lists the regular files directly in the image folder.
	files() []string
	size(name string) int64
	// stamp identifies a file's content cheaply: size and modification
	// time for a folder, size and CRC-32 for a zip member.
	stamp(name string) string
	open(name string) (io.ReadCloser, error)
	// displayName names a file in errors (quoted where needed).
	displayName(name string) string
	// checksummed reports whether members carry a checksum that reading
	// them to the end verifies (zip: CRC-32).
	checksummed() bool
	root() string
	close() error
}

// BOSSbase is a verified BOSSbase 1.01 folder or zip; it implements Source
// over the valid images, in number order. IDs are file names ("1.pgm").
// Images are decoded on Load; a zip is read member by member, never
// extracted, and each member's CRC-32 is checked as it is loaded. Call Close when done (it closes the zip).
type BOSSbase struct {
	path  string
	store bossStore
	ver   *Verification
}

// OpenBOSSbase opens BOSSbase 1.01 at path: the extracted folder (holding
// 1.pgm … 10000.pgm directly or in a BOSSbase_1.01 subfolder) or a .zip of
// it. It verifies the files (see VerifyBOSSbase) reading only their
// headers. With opts.Strict any missing, corrupt or wrong-size file is an
// error; otherwise such files are skipped (see Skipped). A path that does
// not exist, or holds no BOSSbase image at all, is an error.
func OpenBOSSbase(path string, opts BOSSOptions) (*BOSSbase, error) {
	if opts.Expected == 0 {
		opts.Expected = BOSSCount
	}
	if opts.Expected < 0 {
		return nil, fmt.Errorf("dataset.OpenBOSSbase: Expected=%d must be positive", opts.Expected)
	}
	store, err := openBOSSStore(path)
	if err != nil {
		return nil, err
	}
	ver := verify(path, store, opts.Expected)
	if len(ver.Valid) == 0 && len(ver.Corrupt) == 0 && len(ver.WrongSize) == 0 {
		store.close()
		return nil, noImagesError(path, opts.Expected)
	}
	if opts.Strict && !ver.OK() {
		store.close()
		return nil, ver.err()
	}
	if len(ver.Valid) == 0 {
		store.close()
		return nil, fmt.Errorf("%s: no valid BOSSbase image (%s; `neurocrypt dataset verify` lists them)", safefile.Name(path), ver.Summary())
	}
	return &BOSSbase{path: path, store: store, ver: ver}, nil
}

// VerifyBOSSbase checks BOSSbase 1.01 at path (folder or zip, as for
// OpenBOSSbase) against the expected 1.pgm..10000.pgm, 512×512, 8-bit P5,
// reading only headers and file lengths. Problems are reported in the
// Verification, not as an error; the error is for a path that cannot be
// read or holds no BOSSbase image.
func VerifyBOSSbase(path string) (*Verification, error) {
	store, err := openBOSSStore(path)
	if err != nil {
		return nil, err
	}
	defer store.close()
	ver := verify(path, store, BOSSCount)
	if len(ver.Valid) == 0 && len(ver.Corrupt) == 0 && len(ver.WrongSize) == 0 {
		return nil, noImagesError(path, BOSSCount)
	}
	// Found but none valid (corrupt, wrong size, not regular files): the
	// verification lists them.
	return ver, nil
}

// noImagesError is the error for a folder or zip that holds none of the
// expected files.
func noImagesError(path string, expected int) error {
	return fmt.Errorf("%s: no BOSSbase images (1.pgm..%d.pgm) found, neither directly nor under %s/", safefile.Name(path), expected, BOSSDirName)
}

// Verification returns the result of the checks made when opening.
func (b *BOSSbase) Verification() *Verification { return b.ver }

// Skipped returns the expected files that are not used: missing, corrupt
// and wrong-size, in number order (empty after a strict open). Record
// len(Skipped()) in provenance.
func (b *BOSSbase) Skipped() []Problem { return b.ver.Problems() }

// Close releases the zip file, if any.
func (b *BOSSbase) Close() error { return b.store.close() }

// Fingerprint identifies the content of the images in use without reading
// them: a SHA-256 over each valid file's name and stamp (in a folder: size,
// modification time, and on Linux inode and status-change time; in a zip,
// whose members are read against their CRC-32 when opened: size and
// CRC-32) and the skipped files. Caches key on it, so replacing an image —
// even with the same size and its old modification time restored —
// invalidates cached results.
func (b *BOSSbase) Fingerprint() string {
	h := sha256.New()
	for _, n := range b.ver.Valid {
		fmt.Fprintf(h, "%s %s\n", n, b.store.stamp(n))
	}
	for _, p := range b.Skipped() {
		fmt.Fprintf(h, "skipped %s\n", p.String())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// BOSSbasePrefix starts the Name of a BOSSbase source: "bossbase:PATH".
const BOSSbasePrefix = "bossbase:"

// Name is BOSSbasePrefix followed by the path.
func (b *BOSSbase) Name() string { return BOSSbasePrefix + safefile.Name(b.path) }

// Len is the number of valid images.
func (b *BOSSbase) Len() int { return len(b.ver.Valid) }

// ID is the file name of valid image i, e.g. "1.pgm".
func (b *BOSSbase) ID(i int) string { return b.ver.Valid[i] }

// Size is BOSSSize×BOSSSize for every valid image: verification checked
// each header (Sizer).
func (b *BOSSbase) Size(i int) (int, int, error) {
	if i < 0 || i >= len(b.ver.Valid) {
		return 0, 0, fmt.Errorf("%s: image %d is out of range 0..%d", b.Name(), i, len(b.ver.Valid)-1)
	}
	return BOSSSize, BOSSSize, nil
}

// Load decodes valid image i. Safe for concurrent use.
func (b *BOSSbase) Load(i int) (*imageio.Gray, error) {
	if i < 0 || i >= len(b.ver.Valid) {
		return nil, fmt.Errorf("%s: image %d is out of range 0..%d", b.Name(), i, len(b.ver.Valid)-1)
	}
	name := b.ver.Valid[i]
	rc, err := b.store.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	g, err := imageio.DecodeGray(rc, b.store.displayName(name))
	if err != nil {
		return nil, err
	}
	// Read any trailing bytes too: for a zip member this makes archive/zip
	// check its CRC-32, catching corruption the PGM format cannot see.
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return nil, fmt.Errorf("%s: %v", b.store.displayName(name), err)
	}
	if g.Width != BOSSSize || g.Height != BOSSSize {
		return nil, fmt.Errorf("%s: size %dx%d, want %dx%d", b.store.displayName(name), g.Width, g.Height, BOSSSize, BOSSSize)
	}
	return g, nil
}

// fileNumber returns n for a name "n.pgm" with n ≥ 1 in canonical form
// (no sign, no leading zeros), or 0.
func fileNumber(name string) int {
	num, ok := strings.CutSuffix(name, ".pgm")
	if !ok || num == "" || num[0] < '1' || num[0] > '9' || len(num) > 9 {
		return 0
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// verify checks every file's header and length.
func verify(path string, store bossStore, expected int) *Verification {
	v := &Verification{Path: path, Root: store.root(), Expected: expected}
	present := make([]bool, expected+1)
	for _, name := range store.files() {
		if n := fileNumber(name); n >= 1 && n <= expected {
			present[n] = true
		} else {
			v.Extra = append(v.Extra, name)
		}
	}
	sort.Strings(v.Extra)
	for n := 1; n <= expected; n++ {
		name := strconv.Itoa(n) + ".pgm"
		if !present[n] {
			v.Missing = append(v.Missing, name)
			continue
		}
		kind, detail := checkBOSSFile(store, name)
		switch kind {
		case "":
			v.Valid = append(v.Valid, name)
		case Corrupt:
			v.Corrupt = append(v.Corrupt, Problem{name, kind, detail})
		case WrongSize:
			v.WrongSize = append(v.WrongSize, Problem{name, kind, detail})
		}
	}
	return v
}

// checkBOSSFile reads one header and compares the file length with it.
func checkBOSSFile(store bossStore, name string) (ProblemKind, string) {
	if got := store.size(name); got > maxBOSSFileBytes {
		return Corrupt, fmt.Sprintf("%d bytes, more than a 512² PGM can have (%d)", got, maxBOSSFileBytes)
	}
	rc, err := store.open(name)
	if err != nil {
		return Corrupt, trimName(err.Error(), store.displayName(name))
	}
	defer rc.Close()
	h, err := imageio.DecodePGMHeader(rc, store.displayName(name))
	if err != nil {
		return Corrupt, trimName(err.Error(), store.displayName(name))
	}
	if h.Plain || h.MaxVal != imageio.MaxVal8 {
		format := "P5"
		if h.Plain {
			format = "P2"
		}
		return Corrupt, fmt.Sprintf("%s with maxval %d, want binary P5 with maxval 255", format, h.MaxVal)
	}
	if h.Width != BOSSSize || h.Height != BOSSSize {
		return WrongSize, fmt.Sprintf("%dx%d, want %dx%d", h.Width, h.Height, BOSSSize, BOSSSize)
	}
	want := h.Len + h.RasterBytes()
	if got := store.size(name); got < want {
		return Corrupt, fmt.Sprintf("truncated: %d of %d bytes", got, want)
	}
	// A zip member is read to its end: archive/zip then checks its CRC-32
	// and its declared size, so corrupt compressed data is found here,
	// not in the middle of a run.
	if store.checksummed() {
		if _, err := io.Copy(io.Discard, io.LimitReader(rc, maxBOSSFileBytes)); err != nil {
			return Corrupt, trimName(err.Error(), store.displayName(name))
		}
	}
	return "", ""
}

// trimName drops the "name: " prefix of imageio errors (the report already
// names the file).
func trimName(msg, name string) string { return strings.TrimPrefix(msg, name+": ") }

// openBOSSStore opens a folder or zip and finds the image folder in it.
func openBOSSStore(p string) (bossStore, error) {
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: BOSSbase folder or zip not found", safefile.Name(p))
		}
		return nil, fmt.Errorf("%s: %v", safefile.Name(p), err)
	}
	if !fi.IsDir() {
		return openZipStore(p)
	}
	// Use the folder itself or its BOSSbase_1.01 subfolder, whichever has
	// more numbered images (the folder itself on a tie).
	best, bestFiles, bestCount := p, []string(nil), -1
	for _, dir := range []string{p, filepath.Join(p, BOSSDirName)} {
		files, err := listDir(dir)
		if err != nil {
			if dir == p {
				return nil, fmt.Errorf("%s: %v", safefile.Name(p), err)
			}
			continue
		}
		if c := countNumbered(files); c > bestCount {
			best, bestFiles, bestCount = dir, files, c
		}
	}
	return &dirStore{dir: best, names: bestFiles}, nil
}

func countNumbered(names []string) int {
	c := 0
	for _, n := range names {
		if fileNumber(n) > 0 {
			c++
		}
	}
	return c
}

// listDir returns the names of everything but folders directly in dir,
// sorted (FIFOs, devices and sockets included: dirStore.open refuses them
// rather than hanging on them, and verification reports them).
func listDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

type dirStore struct {
	dir   string
	names []string
}

func (d *dirStore) files() []string             { return d.names }
func (d *dirStore) root() string                { return d.dir }
func (d *dirStore) close() error                { return nil }
func (d *dirStore) displayName(n string) string { return safefile.Name(filepath.Join(d.dir, n)) }
func (d *dirStore) checksummed() bool           { return false }

func (d *dirStore) size(name string) int64 {
	fi, err := os.Stat(filepath.Join(d.dir, name))
	if err != nil {
		return -1
	}
	return fi.Size()
}

func (d *dirStore) stamp(name string) string {
	fi, err := os.Stat(filepath.Join(d.dir, name))
	if err != nil {
		return "missing"
	}
	// Size and modification time, and where the system has them the
	// inode and the status-change time: writing the file or restoring its
	// modification time (touch -d) changes the latter, so replaced
	// contents never match a cached result.
	return fmt.Sprintf("%d@%d%s", fi.Size(), fi.ModTime().UnixNano(), changeStamp(fi))
}

func (d *dirStore) open(name string) (io.ReadCloser, error) {
	// Regular files only (symbolic links to them included), checked on the
	// opened file without blocking: a FIFO or a device could block forever
	// or read without end, also one renamed into place after a check.
	f, _, err := safefile.Regular(filepath.Join(d.dir, name))
	return f, err
}

type zipStore struct {
	path    string
	file    *os.File
	dir     string // member directory holding the images, "" for the top level
	members map[string]*zip.File
	names   []string
}

// openZipStore indexes the zip's central directory; members are read
// lazily. The image folder is the member directory with the most numbered
// .pgm files (the shortest on a tie).
func openZipStore(p string) (bossStore, error) {
	f, st, err := safefile.Regular(p)
	if err != nil {
		return nil, fmt.Errorf("not a BOSSbase folder or zip: %w", err)
	}
	budget := newBudgetReader(f, MaxZipDirectoryRead)
	zr, err := zip.NewReader(budget, st.Size())
	budget.disarm()
	if err != nil {
		f.Close()
		return nil, zipDirectoryError(budget, safefile.Name(p), err)
	}
	if len(zr.File) > MaxZipMembers {
		f.Close()
		return nil, fmt.Errorf("%s: a zip of %d members, more than a dataset zip may have (%d)", safefile.Name(p), len(zr.File), MaxZipMembers)
	}
	if err := checkZipLayout(p, st.Size(), zr); err != nil {
		f.Close()
		return nil, err
	}
	byDir := map[string][]*zip.File{}
	counts := map[string]int{}
	for _, f := range zr.File {
		// Zips written on Windows (PowerShell 5) separate with '\'.
		name := strings.ReplaceAll(f.Name, "\\", "/")
		if f.FileInfo().IsDir() || strings.HasSuffix(name, "/") {
			continue
		}
		dir, base := path.Split(name)
		byDir[dir] = append(byDir[dir], f)
		if fileNumber(base) > 0 {
			counts[dir]++
		}
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool {
		if counts[dirs[i]] != counts[dirs[j]] {
			return counts[dirs[i]] > counts[dirs[j]]
		}
		if len(dirs[i]) != len(dirs[j]) {
			return len(dirs[i]) < len(dirs[j])
		}
		return dirs[i] < dirs[j]
	})
	z := &zipStore{path: p, file: f, members: map[string]*zip.File{}}
	if len(dirs) > 0 {
		z.dir = dirs[0]
		for _, f := range byDir[z.dir] {
			base := path.Base(strings.ReplaceAll(f.Name, "\\", "/"))
			if _, dup := z.members[base]; !dup {
				z.names = append(z.names, base)
			}
			z.members[base] = f
		}
		sort.Strings(z.names)
	}
	return z, nil
}

func (z *zipStore) files() []string             { return z.names }
func (z *zipStore) root() string                { return "zip:" + z.dir }
func (z *zipStore) close() error                { return z.file.Close() }
func (z *zipStore) displayName(n string) string { return safefile.Name(z.path + ":" + z.dir + n) }
func (z *zipStore) checksummed() bool           { return true }

func (z *zipStore) stamp(name string) string {
	f, ok := z.members[name]
	if !ok {
		return "missing"
	}
	return fmt.Sprintf("%d#%08x", f.UncompressedSize64, f.CRC32)
}

func (z *zipStore) size(name string) int64 {
	f, ok := z.members[name]
	if !ok {
		return -1
	}
	return int64(f.UncompressedSize64)
}

func (z *zipStore) open(name string) (io.ReadCloser, error) {
	f, ok := z.members[name]
	if !ok {
		return nil, fmt.Errorf("%s: no such member", z.displayName(name))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", z.displayName(name), err)
	}
	if f.CRC32 == 0 {
		// archive/zip skips the check when the recorded CRC-32 is 0
		// ("unknown"); a member's data is then checked against 0 here (an
		// empty member's CRC-32 is 0).
		return &crcZeroReader{ReadCloser: rc, h: crc32.NewIEEE()}, nil
	}
	return rc, nil
}

// crcZeroReader reads a member whose recorded CRC-32 is 0 and fails at its
// end unless the data's CRC-32 is 0 too.
type crcZeroReader struct {
	io.ReadCloser
	h hash.Hash32
}

func (r *crcZeroReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.h.Write(p[:n])
	if err == io.EOF && r.h.Sum32() != 0 {
		return n, zip.ErrChecksum
	}
	return n, err
}

// checkZipLayout refuses a zip whose members' data regions overlap or run
// past the end of the file: such an archive is crafted (one compressed
// region shared by many members is a decompression bomb) and is rejected
// at once, before any member is read.
func checkZipLayout(path string, size int64, zr *zip.Reader) error {
	type region struct {
		start, end int64
		name       string
	}
	rs := make([]region, 0, len(zr.File))
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			return fmt.Errorf("%s: malformed zip: member %s: %v", safefile.Name(path), safefile.Name(f.Name), err)
		}
		end := off + int64(f.CompressedSize64)
		if f.CompressedSize64 > uint64(size) || end > size || end < off {
			return fmt.Errorf("%s: malformed zip: member %s declares data past the end of the file", safefile.Name(path), safefile.Name(f.Name))
		}
		rs = append(rs, region{off, end, f.Name})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].start < rs[j].start })
	for i := 1; i < len(rs); i++ {
		if rs[i].start < rs[i-1].end {
			return fmt.Errorf("%s: malformed zip: members %s and %s overlap", safefile.Name(path), safefile.Name(rs[i-1].name), safefile.Name(rs[i].name))
		}
	}
	return nil
}
