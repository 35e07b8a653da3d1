package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "install":
		return cmdInstall(ctx, args[1:], stdout, stderr)
	case "check":
		return cmdInstall(ctx, append([]string{"-check"}, args[1:]...), stdout, stderr)
	case "run":
		return cmdRun(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "kernel: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `usage:
  go run ./kernel install [-check] [-gopls]   install GoNB %s + goimports, register the %q kernel
  go run ./kernel check                       same as install -check: what is installed, what is missing
  go run ./kernel run [-profile smoke] [-p name=value]... [-html DIR] [-out DIR] NOTEBOOK...
                                              execute notebooks headlessly, with parameters;
                                              fail on any failed cell (its output is kept)

Run "go run ./kernel <command> -h" for the flags of a command.
`, GoNBVersion, KernelName)
}
