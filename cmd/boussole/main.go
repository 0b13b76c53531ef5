// Command boussole runs the Boussole orientation bot and its tools.
//
//	boussole chat      local chat in the terminal (embedded demo by default)
//	boussole serve     run every adapter enabled in the configuration
//	boussole ask       one-shot search: the items found, with scores and why
//	boussole validate  check a knowledge directory
//	boussole test      run conversation test files
//	boussole import    import service-public.fr sheets, or places, into the database
//	boussole eval      measure search quality on a question set
//	boussole admin     manage the web admin's accounts
//	boussole migrate   copy a SQLite database into an empty PostgreSQL database
//	boussole backup    copy the running SQLite database into a new file
//	boussole restore   check a backup and put it in place of the database
//	boussole report    activity report of whole months (people, answers, cases, waits, satisfaction)
//	boussole version   the version, Go version and commit of this binary
//	boussole healthcheck  ask a running server's /readyz (the container's health check)
//
// main parses flags, reads the configuration file and lists the chat
// adapters Boussole is built with (adapters.go); package app wires the
// rest, and the work is in bot/, knowledge/ and adapters/.
package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/boussole/boussole/adapters/mattermost"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/boussole/boussole/app"
)

// errUsage marks a command-line mistake: the usage text is printed.
var errUsage = errors.New("usage")

// errSilent is an exit 1 whose reason was already printed.
var errSilent = errors.New("failed")

// env is the process's outside world, passed in so commands are testable.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// interactive is true when stdin is a terminal; errTerminal when
	// stderr is (progress bars).
	interactive, errTerminal bool
	// now is the program's one clock: every part that reads the time
	// (store, engine, dispatcher, adapters, opening hours, retention,
	// review dates) is given this one. main sets the wall clock; tests
	// and `boussole test` set a fixed instant.
	now func() time.Time
	// parts are the costly immutable parts the commands of one process
	// share (gazetteer, search index…); nil builds them for each.
	parts *app.Parts
	// router is serve's HTTP server, where the Mattermost adapter mounts
	// its callbacks; nil: the adapter listens on its own.
	router mattermost.Router
}

type command struct {
	name, summary string
	run           func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"chat", "local chat in this terminal (reads stdin; pipe a script to run it)", runChat},
		{"serve", "run every adapter enabled in the configuration until SIGINT/SIGTERM", runServe},
		{"ask", "one-shot question: the items and trees found, with scores and why", runAsk},
		{"validate", "check a knowledge directory (default: the embedded demo)", runValidate},
		{"test", "run conversation test files", runTest},
		{"import", "import an official catalogue (service-public.fr XML) or places (LaMednum, data·inclusion) into the database", runImport},
		{"eval", "measure search quality on a question set (recall@k, MRR, latency)", runEval},
		{"export", "write the knowledge in force (with the web admin's versions) as a knowledge directory", runExport},
		{"admin", "manage the web admin's accounts: create-user, set-password, list, disable, enable, revoke-sessions", runAdmin},
		{"migrate", "copy a SQLite database into an empty PostgreSQL database (--to postgres) and check the counts", runMigrate},
		{"backup", "copy the SQLite database, while it runs, into a new file (PostgreSQL: pg_dump, see docs/backup.md)", runBackup},
		{"restore", "check a backup and put it in place of the SQLite database (stop serve first)", runRestore},
		{"report", "activity report of whole months for coordinators and funders (--from, --to, --format csv|json|md)", runReport},
		{"version", "print the version, the Go version and the commit this binary was built from", runVersion},
		{"healthcheck", "ask a running serve process's /readyz: exit 0 when ready, 1 otherwise (the container's health check)", runHealthcheck},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Boussole oriente vers les services publics. / Boussole points citizens to public services.")
	fmt.Fprintln(w, "\nUsage: boussole COMMAND [flags]\n\nCommands:")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'boussole COMMAND -h' for a command's flags.")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The only place the wall clock is read: everything else is given
	// e.now (clock_test.go checks it).
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, interactive: isTerminal(os.Stdin), errTerminal: isTerminal(os.Stderr), now: time.Now}
	code := run(ctx, e, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command and returns the exit code.
func run(ctx context.Context, e env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.Is(err, errSilent):
			return 1
		}
		fmt.Fprintln(e.stderr, "boussole:", err)
		return 1
	}
	fmt.Fprintf(e.stderr, "boussole: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return 2
}

// isTerminal asks the terminal driver: /dev/null is a character device too,
// and a script piped from it must not get prompts.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
