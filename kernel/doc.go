// Command kernel wires Jupyter to this module through GoNB, and runs
// notebooks headlessly so that CI fails when any cell fails.
//
//	go run ./kernel install [-check] [-gopls]
//	go run ./kernel run [-profile smoke] [-html DIR] [-out DIR] NOTEBOOK...
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
// still run. -profile sets $NEUROCRYPT_PROFILE for the notebooks.
package main
