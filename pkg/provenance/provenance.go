// Package provenance assembles the provenance of a run — the one place that
// does: what the process can find out about itself (git commit and dirty
// flag, Go, GoMLX and GoNB versions, host, OS, CPUs, command line) and what
// the run's experiment.Env says (backend and device, profile, seed,
// dataset). The results.Provenance type and its JSON live in pkg/results;
// pkg/report shows it on every page.
package provenance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/neurocrypt/neurocrypt/pkg/experiment"
	"github.com/neurocrypt/neurocrypt/pkg/results"
)

// Pinned versions used when they cannot be read from the running binary.
const (
	// PinnedGoMLXVersion is the GoMLX version go.mod pins; CollectProvenance
	// reports it when the binary's build info does not list GoMLX (e.g. a
	// test binary that does not link it).
	PinnedGoMLXVersion = "v0.28.8"
	// GoNBVersion is the GoNB version the notebook kernel installer pins.
	GoNBVersion = "v0.11.5"
	// gomlxModule is the module path looked up in the build info.
	gomlxModule = "github.com/gomlx/gomlx"
	// gitTimeout bounds each git call made by CollectProvenance.
	gitTimeout = 10 * time.Second
	// Unknown is recorded for facts that could not be determined.
	Unknown = "unknown"
)

// Collect fills what can be found out about this process: the git
// commit and dirty flag of the module containing dir ("" = the current
// directory; git runs in the directory holding go.mod, found by walking up),
// the Go, GoMLX and GoNB versions, host, OS/arch, CPU count, Start (now) and
// Command (os.Args, see CommandLine). When git is missing or dir is not in a
// repository, Commit is "unknown" and Extra["git"] says why.
//
// The caller fills the run's own facts (Backend, Device, Profile, Seed,
// Dataset, DatasetHash, SkippedFiles) and calls Finish when done; Start does both for a run.
func Collect(dir string) results.Provenance {
	p := results.Provenance{
		GoVersion:    runtime.Version(),
		GoMLXVersion: gomlxVersion(),
		GoNBVersion:  GoNBVersion,
		OSArch:       runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:         runtime.NumCPU(),
		Start:        time.Now(),
		Command:      CommandLine(os.Args),
		Extra:        map[string]string{},
	}
	if h, err := os.Hostname(); err == nil {
		p.Host = h
	} else {
		p.Host = Unknown
	}
	// A binary built with `go build` carries its commit: no git to run.
	if rev, modified, ok := buildVCS(); ok {
		p.Commit, p.Dirty = rev, modified
		p.Extra["git"] = "from the binary's build information"
		return p
	}
	// `go run` and tests: ask git, but only in neurocrypt's own checkout
	// (a folder that is not ours may configure git to run programs).
	root := ModuleRoot(dir)
	// An unknown commit is recorded as dirty too: the record must not claim
	// a clean tree it could not check.
	if !ownModule(root) {
		p.Commit, p.Dirty = Unknown, true
		p.Extra["git"] = fmt.Sprintf("%s is not a checkout of %s: git not run", root, ModulePath)
		return p
	}
	commit, err := git(root, "rev-parse", "HEAD")
	if err != nil {
		p.Commit, p.Dirty = Unknown, true
		p.Extra["git"] = strings.Join(strings.Fields(err.Error()), " ")
		return p
	}
	p.Commit = commit
	// git status hashes changed files through the filter drivers the
	// configuration names (clean, process): empty every one of them.
	off, err := filtersOff(root)
	if err != nil {
		p.Dirty = true
		p.Extra["git"] = "dirty state unknown (recorded as dirty): " + strings.Join(strings.Fields(err.Error()), " ")
		return p
	}
	status, err := git(root, append(off, "status", "--porcelain", "--ignore-submodules=all")...)
	if err != nil {
		// Unknown is reported as dirty: a record must not claim a clean
		// tree it could not check.
		p.Dirty = true
		p.Extra["git"] = "dirty state unknown (recorded as dirty): " + strings.Join(strings.Fields(err.Error()), " ")
		return p
	}
	p.Dirty = status != ""
	return p
}

// filtersOff returns git options that empty every filter driver defined
// in dir's git configuration (filter.<name>.clean, .smudge and .process
// are programs git runs on file contents), so that no such program runs.
// It reads the configuration only (git config runs nothing); a driver name
// that cannot be passed as -c name=value is an error.
func filtersOff(dir string) ([]string, error) {
	out, err := git(dir, "config", "--null", "--name-only", "--get-regexp", `^filter\.`)
	if err != nil {
		var ge *gitError
		if errors.As(err, &ge) && ge.code == 1 {
			return nil, nil // no filter defined
		}
		return nil, err
	}
	seen := map[string]bool{}
	var opts []string
	for _, key := range strings.Split(out, "\x00") {
		i, j := strings.Index(key, "."), strings.LastIndex(key, ".")
		if i < 0 || j <= i {
			continue
		}
		name := key[i+1 : j]
		if seen[name] {
			continue
		}
		seen[name] = true
		if strings.ContainsAny(name, "=\n") {
			return nil, fmt.Errorf("a git filter driver named %q cannot be switched off", name)
		}
		for _, k := range []string{"clean", "smudge", "process"} {
			opts = append(opts, "-c", "filter."+name+"."+k+"=")
		}
	}
	return opts, nil
}

// ModulePath is neurocrypt's module path; Collect runs git only in a
// folder whose go.mod declares it.
const ModulePath = "github.com/neurocrypt/neurocrypt"

// ownModule reports whether root's go.mod declares ModulePath.
func ownModule(root string) bool {
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == ModulePath {
			return true
		}
	}
	return false
}

// buildVCS returns the commit and modified flag `go build` stamps into a
// binary built in a git checkout (`go run` and tests do not stamp them).
func buildVCS() (rev string, modified, ok bool) {
	bi, found := debug.ReadBuildInfo()
	if !found {
		return "", false, false
	}
	for _, st := range bi.Settings {
		switch st.Key {
		case "vcs.revision":
			rev = st.Value
		case "vcs.modified":
			modified = st.Value == "true"
		}
	}
	return rev, modified, rev != ""
}

// Start returns the provenance of a run of env that starts now: Collect
// (git looked up from moduleDir, "" = the current directory) plus the
// run's backend configuration, profile, seed, dataset and the number of
// dataset files skipped as unreadable. command, when not empty, replaces
// the recorded command line (the CLI gives the canonical one).
func Start(env *experiment.Env, moduleDir, command string, skipped int) results.Provenance {
	p := Collect(moduleDir)
	if command != "" {
		p.Command = command
	}
	p.Profile = string(env.Profile)
	p.Seed = env.Seed
	p.SkippedFiles = skipped
	if env.Data != nil {
		p.Dataset = env.Data.Name()
	}
	if env.Backend != nil {
		p.Backend = env.Backend.Config()
		p.Extra["backend_reason"] = env.Backend.Reason()
	}
	p.Extra["code_version"] = experiment.CodeVersion()
	return p
}

// Finish records the end of the run: the device the backend computed on
// (the backend describes it only if the run created it: describing it must
// not create one), the content hash of the data used, and the end time.
func Finish(p *results.Provenance, env *experiment.Env, dataHash string) {
	if env.Backend != nil {
		p.Device = env.Backend.Device()
	}
	p.DatasetHash = dataHash
	p.Finish(time.Now())
}

// ModuleRoot returns the closest directory at or above dir that holds a
// go.mod file, or dir itself (made absolute) when there is none. An empty
// dir means the current directory.
func ModuleRoot(dir string) string {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; {
		if st, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && !st.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return abs
		}
		d = parent
	}
}

// gitSafe are options that keep git from running programs a repository's
// configuration names: the file-system monitor hook, hooks, external diff,
// and every transport (protocol.allow=never: a partial clone missing an
// object would otherwise fetch it, running the remote's configured
// upload-pack or ssh command); and the optional index lock. Filter drivers
// are switched off by name (filtersOff).
var gitSafe = []string{"-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "diff.external=",
	"-c", "core.untrackedCache=false", "-c", "protocol.allow=never", "--no-optional-locks"}

// git runs a read-only git command in dir with gitSafe, ignoring the
// system-wide configuration and never prompting.
func git(dir string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append(append(append([]string{}, gitSafe...), "-C", dir), args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
	out, err := cmd.Output()
	if err != nil {
		ge := &gitError{msg: err.Error(), code: -1}
		if ee, ok := err.(*exec.ExitError); ok {
			ge.code = ee.ExitCode()
			if len(ee.Stderr) > 0 {
				ge.msg = strings.TrimSpace(string(ee.Stderr))
			}
		}
		ge.msg = fmt.Sprintf("git %s in %s: %s", strings.Join(args, " "), dir, ge.msg)
		return "", ge
	}
	return strings.TrimSpace(string(out)), nil
}

// gitError is a failed git command: its message and exit code (−1 when
// git did not run to an exit).
type gitError struct {
	msg  string
	code int
}

func (e *gitError) Error() string { return e.msg }

func gomlxVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path != gomlxModule {
				continue
			}
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			if d.Version != "" && d.Version != "(devel)" {
				return d.Version
			}
		}
	}
	return PinnedGoMLXVersion
}

// CommandLine joins args into a line a POSIX shell would split back into the
// same arguments, quoting where needed. An argument with a character that
// is not printable (a control or format character such as U+202E, which
// would reorder the line where it is shown, or a byte that is not UTF-8) is
// written with byte escapes in dollar-single quotes ($'a\xe2\x80\xaeb';
// POSIX.1-2024, bash, zsh, ksh; not dash), so the line shows every
// character and still repeats the run. When args[0] is a binary built by
// `go run` (it lives in a go-build temporary directory) it is written as
// "go run ./cmd/<name>", which is how such a run is repeated.
func CommandLine(args []string) string {
	parts := make([]string, 0, len(args)+2)
	for i, a := range args {
		if i == 0 && strings.Contains(filepath.ToSlash(a), "/go-build") {
			parts = append(parts, "go", "run", "./cmd/"+filepath.Base(a))
			continue
		}
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if !printable(s) {
		return dollarQuote(s)
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// printable reports whether s is valid UTF-8 of printable characters
// (unicode.IsPrint) only.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// dollarQuote writes s as $'...' with the UTF-8 bytes of every character
// that is not printable, and every byte that is not UTF-8, escaped as
// \xHH: unlike \uXXXX, which bash expands in the current locale's charset
// (nothing useful under LC_ALL=C), bytes re-create the argument exactly in
// any locale.
func dollarQuote(s string) string {
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsPrint(r) && !(r == utf8.RuneError && n <= 1):
			b.WriteRune(r)
		default:
			for _, c := range []byte(s[i : i+n]) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		}
		i += n
	}
	b.WriteByte('\'')
	return b.String()
}
