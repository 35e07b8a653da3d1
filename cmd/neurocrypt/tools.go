package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/neurocrypt/neurocrypt/pkg/backend"
	"github.com/neurocrypt/neurocrypt/pkg/cipher"
	"github.com/neurocrypt/neurocrypt/pkg/dataset"
	"github.com/neurocrypt/neurocrypt/pkg/imageio"
	"github.com/neurocrypt/neurocrypt/pkg/metrics"
	"github.com/neurocrypt/neurocrypt/pkg/safefile"
)

// controlNote marks a deliberately weak control (cipher.IsControl) in
// scheme listings.
const controlNote = "control: deliberately weak"

// schemeList lists the registered schemes for the -cipher flags, sorted,
// each control marked: "…, perm-only (control: deliberately weak)".
func schemeList() string {
	names := cipher.Names()
	for i, n := range names {
		if s, err := cipher.Lookup(n); err == nil && cipher.IsControl(s) {
			names[i] = n + " (" + controlNote + ")"
		}
	}
	return strings.Join(names, ", ")
}

// cipherFromFlags parses -cipher and -key for encrypt/decrypt and returns
// the cipher and the remaining arguments (IN and OUT). -cipher may be
// omitted: the key line names its scheme ("<scheme>:..."); given, it must
// agree with the key line.
//
// With withLuma, -luma is accepted too (encrypt: colour input converted
// to grey by the named formula); the read options are returned.
func cipherFromFlags(name string, args []string, stderr io.Writer, withLuma bool) (cipher.Cipher, []string, imageio.ReadOptions, error) {
	var opts imageio.ReadOptions
	fs := newFlags(name, stderr)
	var luma *string
	if withLuma {
		luma = lumaFlag(fs)
	}
	cname := fs.String("cipher", "", "cipher scheme (default: the one the key line names): "+schemeList()+"; trained families, with a key line naming their weights: "+strings.Join(cipher.Families(), ", "))
	key := fs.String("key", "", "the key `line`, as printed by neurocrypt keygen; - reads it from standard input (a key on the command line is visible to other users in ps: prefer -key-file or -key -)")
	keyFile := fs.String("key-file", "", "read the key line from the first line of this `file` (- for standard input)")
	if err := parse(fs, args); err != nil {
		return nil, nil, opts, err
	}
	if fs.NArg() != 2 {
		return nil, nil, opts, usagef("want IN and OUT files, got %d arguments", fs.NArg())
	}
	if luma != nil {
		l, err := imageio.ParseLuma(*luma)
		if err != nil {
			return nil, nil, opts, fmt.Errorf("-luma: %v", err)
		}
		opts.Luma = l
	}
	line, err := keyLine(*key, *keyFile)
	if err != nil {
		return nil, nil, opts, err
	}
	k, err := cipher.ParseKey(line)
	if err != nil {
		return nil, nil, opts, fmt.Errorf("bad key: %w", err)
	}
	if family, _, _ := strings.Cut(k.Scheme(), "/"); *cname != "" && k.Scheme() != *cname && family != *cname {
		return nil, nil, opts, fmt.Errorf("-cipher %s, but the key line is for %q", *cname, k.Scheme())
	}
	c, err := cipher.New(k)
	if err != nil {
		return nil, nil, opts, err
	}
	return c, fs.Args(), opts, nil
}

// decodeInput decodes an opened input sample-exact; a colour image's
// error names the -luma flag where the command has one.
func decodeInput(in *imageio.Input, opts imageio.ReadOptions, withLuma bool) (*imageio.Gray, error) {
	g, err := in.Decode(opts)
	if errors.Is(err, imageio.ErrColour) && opts.Luma == imageio.NoLuma {
		if withLuma {
			return nil, fmt.Errorf("%s: colour image: refused unless converted to grey with -luma bt601 or -luma bt709", in.Name())
		}
		return nil, fmt.Errorf("%s: colour image: a ciphertext is grey", in.Name())
	}
	return g, err
}

// checkOutput refuses an output path that exists and is not a regular
// file (a FIFO or device would be replaced by the atomic write), and one
// whose folder does not exist (a typo there is an error, not a new
// folder).
func checkOutput(path string) error {
	if st, err := os.Lstat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s: the output is a directory", safefile.Name(path))
	} else if err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("%s: the output exists and is not a regular file (%s): not replaced", safefile.Name(path), st.Mode().Type())
	}
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s: output folder %s does not exist", safefile.Name(path), safefile.Name(dir))
		}
	}
	return nil
}

// lumaFlag registers -luma: colour images are refused unless the user
// names the luma formula that turns them grey.
func lumaFlag(fs *flag.FlagSet) *string {
	return fs.String("luma", "", "convert colour input to grey with this luma formula: bt601 (0.299R+0.587G+0.114B) or bt709 (0.2126R+0.7152G+0.0722B); without it colour input is refused")
}

// stdin is where `-key -` and `-key-file -` read the key line (tests
// replace it).
var stdin io.Reader = os.Stdin

// maxKeyLine bounds the bytes read for a key line.
const maxKeyLine = 64 << 10

// keyLine returns the key line given by -key or -key-file ("-": standard
// input): the first line, without surrounding space. Errors never repeat
// key material.
func keyLine(key, keyFile string) (string, error) {
	var from io.Reader
	var name string
	switch {
	case key != "" && keyFile != "":
		return "", usagef("give the key with -key or -key-file, not both")
	case key == "" && keyFile == "":
		return "", usagef("a key is required: -key-file FILE, -key - (standard input) or -key LINE (make one with `neurocrypt keygen -cipher NAME`)")
	case key == "-" || keyFile == "-":
		from, name = stdin, "standard input"
	case keyFile != "":
		// A file, or a pipe (-key-file <(pass show key)); never blocks.
		f, err := safefile.Stream(keyFile)
		if err != nil {
			return "", fmt.Errorf("key file %w", err)
		}
		defer f.Close()
		from, name = f, "key file "+safefile.Name(keyFile)
	default:
		return key, nil
	}
	// Only the first line is used.
	br := bufio.NewReaderSize(io.LimitReader(from, maxKeyLine+1), 4096)
	var b []byte
	for {
		c, err := br.ReadByte()
		if err == io.EOF || c == '\n' {
			break
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		if b = append(b, c); len(b) > maxKeyLine {
			return "", fmt.Errorf("%s: a first line of more than %d bytes: not a key line", name, maxKeyLine)
		}
	}
	first := strings.TrimSpace(string(b))
	if first == "" {
		return "", fmt.Errorf("%s: empty first line: no key line", name)
	}
	return first, nil
}

func runEncrypt(args []string, stdout, stderr io.Writer) error {
	return transform("encrypt", args, stderr, true, cipher.Cipher.Encrypt)
}

func runDecrypt(args []string, stdout, stderr io.Writer) error {
	// A ciphertext is grey: decrypt takes no -luma.
	return transform("decrypt", args, stderr, false, cipher.Cipher.Decrypt)
}

func transform(name string, args []string, stderr io.Writer, withLuma bool, op func(cipher.Cipher, *imageio.Gray) (*imageio.Gray, error)) error {
	c, files, opts, err := cipherFromFlags(name, args, stderr, withLuma)
	if err != nil {
		return err
	}
	if err := checkOutput(files[1]); err != nil {
		return err
	}
	input, err := imageio.OpenInput(files[0])
	if err != nil {
		return err
	}
	defer input.Close()
	if l, ok := c.(cipher.SizeLimited); ok {
		// Refused from the header, before decoding (a small file may
		// decode to a large image).
		i := input.Info
		if n := int64(i.Width) * int64(i.Height) * int64(i.Depth/8); n > int64(l.MaxSampleBytes()) {
			return fmt.Errorf("%s: a %dx%d %d-bit image has %d sample bytes, more than %s accepts (%d)", input.Name(), i.Width, i.Height, i.Depth, n, c.Name(), l.MaxSampleBytes())
		}
	}
	in, err := decodeInput(input, opts, withLuma)
	if err != nil {
		return err
	}
	// What decoding left behind (a colour or palette image, read buffers)
	// is returned before the cipher allocates its output: peak memory is
	// the larger of the two stages, not their sum (tested).
	debug.FreeOSMemory()
	out, err := op(c, in)
	if err != nil {
		return fmt.Errorf("%s: %w", input.Name(), err)
	}
	return imageio.SaveGray(files[1], out)
}

func runKeygen(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keygen", stderr)
	cname := fs.String("cipher", cipher.NameBitplane, "cipher: "+schemeList()+"; or a trained-cipher family ("+strings.Join(cipher.Families(), ", ")+") with -weights")
	seed := fs.Uint64("seed", 0, "derive the key deterministically from this seed, for reproducible experiments (0: draw the whole key from crypto/rand)")
	weights := fs.String("weights", "", "weights file of a trained model of the family -cipher names (its key names the file and its SHA-256)")
	tag := fs.String("tag", "model", "with -weights: the trained scheme's tag (<family>/<tag>)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	family := slices.Contains(cipher.Families(), *cname)
	tagSet := false
	fs.Visit(func(f *flag.Flag) { tagSet = tagSet || f.Name == "tag" })
	switch {
	case tagSet && *weights == "":
		return usagef("-tag names a trained scheme bound with -weights; %q takes no tag", *cname)
	case family && *weights == "":
		return usagef("%s is a family of trained ciphers: give the trained model's weights file with -weights FILE", *cname)
	case !family && *weights != "":
		return usagef("-weights is for trained-cipher families (%s), not %q", strings.Join(cipher.Families(), ", "), *cname)
	}
	var scheme cipher.Scheme
	var err error
	if *weights != "" {
		scheme, err = cipher.BindTrained(*cname, *tag, *weights)
	} else {
		scheme, err = cipher.Lookup(*cname)
	}
	if err != nil {
		return err
	}
	var k cipher.Key
	if *seed != 0 {
		k = scheme.GenerateKey(*seed)
	} else if k, err = cipher.RandomKey(scheme); err != nil { // the key's full entropy, from crypto/rand
		return err
	}
	if *weights != "" {
		// Load the model now: a file that is not a model of this family
		// is refused here, not at the first encryption.
		if _, err := scheme.New(k); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, k.String())
	return nil
}

func runMetrics(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("metrics", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	luma := lumaFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 && fs.NArg() != 3 {
		return usagef("want PLAIN CIPHER [CIPHER2], got %d arguments", fs.NArg())
	}
	l, err := imageio.ParseLuma(*luma)
	if err != nil {
		return fmt.Errorf("-luma: %v", err)
	}
	// Every input opened once (pipes work) and every header checked —
	// sizes, depths, the memory limit — before any image is decoded.
	inputs := make([]*imageio.Input, fs.NArg())
	defer func() {
		for _, in := range inputs {
			if in != nil {
				in.Close()
			}
		}
	}()
	for i, p := range fs.Args() {
		if inputs[i], err = imageio.OpenInput(p); err != nil {
			return err
		}
	}
	for i := 1; i < len(inputs); i++ {
		a, b := inputs[0].Info, inputs[i].Info
		if a.Width != b.Width || a.Height != b.Height {
			return fmt.Errorf("%s vs %s: image sizes differ: %dx%d vs %dx%d", inputs[0].Name(), inputs[i].Name(), a.Width, a.Height, b.Width, b.Height)
		}
		if a.Depth != b.Depth {
			return fmt.Errorf("%s vs %s: bit depths differ: %d vs %d bits", inputs[0].Name(), inputs[i].Name(), a.Depth, b.Depth)
		}
	}
	imgs := make([]*imageio.Gray, fs.NArg())
	for i, in := range inputs {
		g, err := decodeInput(in, imageio.ReadOptions{Luma: l}, true)
		if err != nil {
			return err
		}
		imgs[i] = g
		// A colour or alpha PNG decodes to up to 8 bytes per pixel before
		// its grey copy is taken: collect that now, so the next image's
		// decoding does not stack on it (peak memory: the grey images, one
		// decoder image and 64 MB, tested).
		debug.FreeOSMemory()
	}
	for i := 1; i < len(imgs); i++ {
		if err := imageio.SameSize(imgs[0], imgs[i]); err != nil {
			return fmt.Errorf("%s vs %s: %w", inputs[0].Name(), inputs[i].Name(), err)
		}
	}
	var c2 *imageio.Gray
	if len(imgs) == 3 {
		c2 = imgs[2]
	}
	r, err := metrics.NewReport(imgs[0], imgs[1], c2)
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	between := "PLAIN and CIPHER"
	if c2 != nil {
		between = "CIPHER and CIPHER2"
	}
	levels := 1 << r.Depth
	fmt.Fprintf(stdout, "bit depth             %d (peak %d)\n", r.Depth, levels-1)
	fmt.Fprintf(stdout, "entropy (cipher)      %.6f bits (ideal %d)\n", r.Entropy, r.Depth)
	fmt.Fprintf(stdout, "NPCR (%s) %.4f %%\n", between, r.NPCR)
	fmt.Fprintf(stdout, "UACI (%s) %.4f %%\n", between, r.UACI)
	fmt.Fprintf(stdout, "correlation h/v/d     %.6f %.6f %.6f\n", r.CorrH, r.CorrV, r.CorrD)
	fmt.Fprintf(stdout, "%-21s %.3f\n", fmt.Sprintf("chi-square (df %d)", levels-1), r.Chi2)
	fmt.Fprintf(stdout, "PSNR (plain, cipher)  %.4f dB\n", r.PSNR)
	fmt.Fprintf(stdout, "SSIM (plain, cipher)  %.6f\n", r.SSIM)
	return nil
}

func runDataset(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(stdout, "usage: neurocrypt dataset verify DIR|ZIP   (check a BOSSbase 1.01 folder or zip)")
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "verify" {
		return usagef("want `dataset verify DIR|ZIP`")
	}
	fs := newFlags("dataset verify", stderr)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one DIR or ZIP, got %d arguments", fs.NArg())
	}
	v, err := dataset.VerifyBOSSbase(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, v.String())
	if !v.OK() {
		return fmt.Errorf("%s: %s", safefile.Name(fs.Arg(0)), v.Summary())
	}
	return nil
}

func runBackends(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backends", stderr)
	install := fs.String("install", "", "download and install a backend: xla (the PJRT plugins; needs network access)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	switch *install {
	case "":
	case backend.XLA:
		if err := backend.InstallXLA(); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "installed the PJRT plugins")
	case backend.ONNX:
		return fmt.Errorf("ONNX Runtime is installed by scripts/setup.sh --onnx (the official release where reachable, else the onnxruntime-node npm package)")
	default:
		return usagef("-install: unknown backend %q (want xla)", *install)
	}
	sel := backend.Select()
	fmt.Fprintf(stdout, "selected: %s (%s)\n\n", sel.Config(), sel.Reason())
	for _, st := range backend.Probe() {
		mark := "missing  "
		if st.Available {
			mark = "available"
		}
		fmt.Fprintf(stdout, "%-5s %s  %s\n", st.Name, mark, st.Detail)
		if !st.Available && st.HowToGet != "" {
			fmt.Fprintf(stdout, "      how to get it: %s\n", st.HowToGet)
		}
	}
	return nil
}
