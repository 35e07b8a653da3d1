// Command kernel wires Jupyter to this module through GoNB, and runs
// notebooks headlessly so that CI fails when any cell fails.
//
//	go run ./kernel install [-check] [-gopls]
//	go run ./kernel run [-profile smoke] [-p name=value]... [-html DIR] [-out DIR] NOTEBOOK...
//
// # install
//
// install builds GoNB (github.com/janpfeifer/gonb v0.11.5, the version whose
// gonbui package pkg/nbdisplay imports) and goimports (golang.org/x/tools
// v0.52.0) into $GOBIN (or $GOPATH/bin), then writes the kernelspec
// "neurocrypt" ("Go (neurocrypt)") into the user's Jupyter data directory.
// It is idempotent: a tool already built from the pinned version (read from
// the binary's build info) is kept, and an unchanged kernel.json is not
// rewritten. -check only reports.
//
// The module proxy this project works against refuses version lists for
// some modules (gonb among them), so `go install mod@version` and `@latest`
// fail. Tools are therefore built in a throw-away module: `go mod init`,
// `go get pkg@exact-version` (an exact version needs no list), then
// `go install pkg`, which builds the version that module pins.
//
// # How a notebook finds this checkout
//
// GoNB compiles every cell in a fresh temporary module. The kernelspec's
// argv passes GoNB's own -go_work flag with the checkout's absolute path:
// at start-up GoNB runs `go work init` and `go work use <repo> .` in its
// temporary module and then the equivalent of %goworkfix, which adds a
// `replace github.com/neurocrypt/neurocrypt => <repo>` to the temporary
// go.mod. So a notebook needs no set-up cell at all:
//
//   - imports of github.com/neurocrypt/neurocrypt/... resolve to the working
//     tree (edits in pkg/ show up at the next cell, no publishing);
//   - GoNB's automatic `go get` finds every dependency in the build list the
//     checkout's go.mod pins (gomlx v0.28.8, gonum/plot, gonb ...), so it
//     never asks the proxy for a version list — which would fail with 403 for
//     list-refused modules;
//   - the kernel also gets $NEUROCRYPT_REPO (the same path) so notebooks can
//     link to reports/ and find datasets/.
//
// The alternatives were worse: a first cell with `!*go work init && go work
// use ...` and %goworkfix must be repeated in every notebook and hard-codes
// a path; a go.work committed to the repository would change how the module
// itself builds; copying the module into GOPATH would go stale. The cost of
// the chosen wiring is that the kernelspec names one checkout: run
// `go run ./kernel install` again from another checkout to switch (-check
// says which one is registered).
//
// The kernelspec's environment prepends the tools' directory and GOROOT/bin
// to PATH (GoNB runs `go` and `goimports`).
//
// # run
//
// run executes each notebook with Jupyter's nbclient (Python; the embedded
// driver.py) using the "neurocrypt" kernel with GoNB's -raw_error flag
// appended, writes the executed notebook (in place, or into -out) and with
// -html an HTML export (the lab template without its CDN scripts, so it
// opens offline), and exits 1 when any cell failed, naming the notebook, the
// cell and the error. A cell fails when it has an error output (compile
// errors, and what GoNB reports as errors) or when its output shows a Go
// panic with a goroutine trace, a runtime "fatal error:", a signal, or
// "exit status N" with N ≠ 0 — nbconvert alone only looks at error
// outputs, and a kernel may print a crash without reporting one. Execution
// of a notebook stops after its first failed cell; the other notebooks
// still run. A failed notebook is written all the same, executed up to
// and including the failed cell, whose output shows the error (the cells
// after it keep their source, not run); the notebook's status line says
// where it was written.
//
// # Parameters
//
// As papermill does for Python, `-p name=value` (repeatable) overrides a
// notebook parameter. The parameters are the top-level var declarations
// of the code cell tagged "parameters" (cell metadata "tags"), before its
// `%%` line: the only values GoNB carries from cell to cell and lets a
// later cell declare again. kernel run inserts right after that cell a cell
// tagged "injected-parameters" that declares the overrides again
// (`var seed int = 3`); every later cell's program sees them, and the
// executed notebook keeps the injected cell. The cell numbers of failures
// are those of the input notebook. An injected-parameters cell of an
// earlier run is always removed first, so a notebook executed in place
// does not keep stale overrides.
//
// Types come from the declaration: the declared type (var ratio float64 =
// 1), else the literal's (3 is an int, 3.0 a float64, "s" a string, true a
// bool, int(3) an int); -p supports int, float64, string and bool and
// parses the value as Go's strconv does (strings are taken as they are,
// unquoted). Consts are listed but cannot be overridden; `x := 3` after
// `%%` is not a parameter (its value ends with the cell). Errors stop the
// run before any notebook executes and name the notebook: a name the cell
// does not declare (listing those it does), a value that does not parse as
// the parameter's type, -p on a notebook with no parameters cell, two
// parameters cells.
//
// -profile P sets $NEUROCRYPT_PROFILE=P for every notebook and, for a
// notebook whose parameters cell declares profile, is also -p profile=P
// (-p profile=Q with Q ≠ P is a usage error). The notebooks in notebooks/
// declare `profile = ""` and `seed = 0` ("" and 0: the environment's or
// reproduce's defaults) and an init_parameters function that GoNB runs as
// init in every later cell's program, handing them to pkg/nbenv through
// $NEUROCRYPT_PROFILE and $NEUROCRYPT_SEED.
package main
