// Command neurocrypt reproduces neural-network image-encryption papers and
// exposes the ciphers and metrics behind them.
//
//	neurocrypt reproduce [-profile smoke|quick|paper] [-only ids] [-data DIR|ZIP] [-out DIR] [-seed N] [-check [REF]] ...
//	neurocrypt bench [-profile smoke|quick|paper] [-data DIR|ZIP] [-out DIR] [-seed N]
//	neurocrypt encrypt [-luma bt601|bt709] -key-file FILE|-key -|-key KEY [-cipher NAME] IN OUT
//	neurocrypt decrypt -key-file FILE|-key -|-key KEY [-cipher NAME] IN OUT
//	neurocrypt keygen -cipher NAME [-seed N] [-weights FILE -tag TAG]
//	neurocrypt metrics [-json] [-luma bt601|bt709] PLAIN CIPHER [CIPHER2]
//	neurocrypt dataset verify DIR|ZIP
//	neurocrypt backends
//
// Exit status: 0 on success, 1 on bad input or a failed run (one line on
// stderr naming the file and the problem), 2 on a usage error (unknown
// command or flag; usage on stderr).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"

	// The model families register their trained-cipher families, so that
	// encrypt, decrypt and keygen take keys of trained models.
	_ "github.com/neurocrypt/neurocrypt/pkg/models/ancnet"
	_ "github.com/neurocrypt/neurocrypt/pkg/models/gannet"
)

// usageError marks errors that should print usage and exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one sub-command.
type command struct {
	name, args, help string
	run              func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"reproduce", "[flags]", "run the experiments and write the HTML reports and results.json", runReproduce},
		{"bench", "[-profile P] [-out DIR] [-data D] [-seed N]", "time every model's training step (GoMLX backends and PyTorch), the ciphers and the machine's ceilings into performance.html", runBench},
		{"encrypt", "[-luma bt601|bt709] -key-file FILE|-key -|-key KEY [-cipher NAME] IN OUT", "encrypt a PGM/PNG image (8 or 16-bit grey, sample-exact)", runEncrypt},
		{"decrypt", "-key-file FILE|-key -|-key KEY [-cipher NAME] IN OUT", "decrypt a PGM/PNG image", runDecrypt},
		{"keygen", "-cipher NAME [-seed N] [-weights FILE [-tag TAG]]", "print a key for a cipher (or a trained model's weights)", runKeygen},
		{"metrics", "[-json] [-luma bt601|bt709] PLAIN CIPHER [CIPHER2]", "security metrics of an encryption, at the images' bit depth", runMetrics},
		{"dataset", "verify DIR|ZIP", "check a BOSSbase 1.01 folder or zip", runDataset},
		{"backends", "[-install xla]", "list the GoMLX backends available and how to get the missing ones", runBackends},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: neurocrypt COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %-34s %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintln(w, "\nRun 'neurocrypt COMMAND -h' for a command's flags.")
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		out := &checkedWriter{w: stdout}
		err := c.run(args[1:], out, stderr)
		if err == nil && out.err != nil {
			// A key or a result that could not be written is a failure
			// (`keygen > /dev/full` must not exit 0).
			err = fmt.Errorf("writing standard output: %w", out.err)
		}
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "neurocrypt %s: %s\n", c.name, oneLine(ue.msg))
			fmt.Fprintf(stderr, "usage: neurocrypt %s %s\n", c.name, c.args)
			return 2
		default:
			fmt.Fprintf(stderr, "neurocrypt %s: %s\n", c.name, oneLine(err.Error()))
			return 1
		}
	}
	fmt.Fprintf(stderr, "neurocrypt: unknown command %s\n", oneLine(strconv.Quote(args[0])))
	usage(stderr)
	return 2
}

// checkedWriter passes writes on and remembers the first error.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
	return n, err
}

// newFlags returns a flag set that reports errors instead of exiting; flag
// parse errors become usage errors (exit 2).
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("neurocrypt "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	// On a parse error the flag package prints the error and calls Usage;
	// run prints the error and the usage line once, so Usage only lists the
	// flags when they were asked for (-h).
	fs.Usage = func() {}
	return fs
}

// parse parses flags, turning failures into usage errors. Flags may come
// before, between and after the positional arguments (`metrics a.pgm
// b.pgm -json`, `reproduce -check REF -out DIR`); after "--" everything is
// positional. fs.Args() are then the positional arguments, in order.
func parse(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard) // the parse error is printed once, by run
	defer fs.SetOutput(out)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				fmt.Fprintf(out, "usage of %s:\n", fs.Name())
				fs.PrintDefaults()
				return err
			}
			return usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...) // after "--": all positional
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	// Leave exactly the positional arguments in fs.Args().
	if err := fs.Parse(append([]string{"--"}, pos...)); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// maxMessage bounds a printed error line.
const maxMessage = 2000

// oneLine makes an error printable as one line: line breaks become spaces,
// other control characters (terminal escapes from a crafted file name) are
// written as Go escapes, and a very long message (a path of megabytes) is
// cut.
func oneLine(s string) string {
	// Line breaks become spaces; every other space is kept, so a file name
	// with two spaces is printed as it is.
	s = strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ").Replace(s))
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= maxMessage {
			b.WriteString("…")
			break
		}
		if unicode.IsPrint(r) {
			b.WriteRune(r)
		} else {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}
