package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/boussole/boussole/admin"
	"github.com/boussole/boussole/admin/password"
	"github.com/boussole/boussole/app"
	"github.com/boussole/boussole/bot/store"
)

// cliActor is who the audit log says made a change from the terminal.
const cliActor = "cli"

// adminCommand is one `boussole admin` sub-command.
type adminCommand struct {
	name, args, summary string
	// creates: the command may create the database (the first account).
	creates bool
	run     func(ctx context.Context, e env, st *store.Store, o adminOpts) error
}

// adminOpts are the sub-commands' flags and login.
type adminOpts struct {
	login, role, name string
	passwordStdin     bool
}

func adminCommands() []adminCommand {
	return []adminCommand{
		{"create-user", "LOGIN --role admin|editor|viewer [--name NAME] [--password-stdin]", "create an account (asks its password twice)", true, adminCreate},
		{"set-password", "LOGIN [--password-stdin]", "give an account a new password and close its sessions", false, adminSetPassword},
		{"list", "", "list the accounts", false, adminList},
		{"disable", "LOGIN", "disable an account and close its sessions", false, adminDisable},
		{"enable", "LOGIN", "enable a disabled account", false, adminEnable},
		{"revoke-sessions", "LOGIN", "close every session of an account", false, adminRevoke},
	}
}

func adminUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: boussole admin COMMAND [--config FILE] [--db PATH] …\n\nManages the web admin's accounts (the first one, a forgotten password). Changes are in the audit log as \"cli\".\n\nCommands:")
	for _, c := range adminCommands() {
		fmt.Fprintf(w, "  %-16s %s\n  %-16s   %s\n", c.name, c.args, "", c.summary)
	}
	fmt.Fprintln(w, "\nThe password is asked twice on the terminal, without echo, or read from the first line of\nstandard input with --password-stdin (scripts). It has at least 12 characters.")
}

// runAdmin dispatches `boussole admin COMMAND`.
func runAdmin(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		adminUsage(e.stderr)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	var cmd *adminCommand
	for _, c := range adminCommands() {
		if c.name == args[0] {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(e.stderr, "boussole admin: unknown command %q\n\n", args[0])
		adminUsage(e.stderr)
		return errUsage
	}
	fset := flag.NewFlagSet("admin "+cmd.name, flag.ContinueOnError)
	var cf commonFlags
	fset.StringVar(&cf.config, "config", "", "configuration file (default: built-in defaults)")
	fset.StringVar(&cf.db, "db", "", "SQLite database file (default ./boussole.db, or $BOUSSOLE_DB)")
	var o adminOpts
	if cmd.name == "create-user" {
		fset.StringVar(&o.role, "role", "", "the account's role: admin, editor or viewer")
		fset.StringVar(&o.name, "name", "", "the person's name, as shown in the admin")
	}
	if cmd.name == "create-user" || cmd.name == "set-password" {
		fset.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	}
	fset.Usage = func() {
		fmt.Fprintf(fset.Output(), "Usage: boussole admin %s %s\n\n%s.\n", cmd.name, cmd.args, cmd.summary)
		fset.PrintDefaults()
	}
	if err := parseFlags(fset, e, reorder(args[1:], map[string]bool{"password-stdin": true})); err != nil {
		return err
	}
	wantLogin := cmd.name != "list"
	if wantLogin && fset.NArg() != 1 || !wantLogin && fset.NArg() != 0 {
		fset.Usage()
		return errUsage
	}
	if wantLogin {
		o.login = strings.TrimSpace(fset.Arg(0))
	}
	cfg, err := cf.resolve(e)
	if err != nil {
		return err
	}
	path := cfg.Database.Path
	if !cmd.creates && cfg.Database.Driver != app.DriverPostgres {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("admin %s: no database at %s: create the first account with `boussole admin create-user LOGIN --role admin` (or give --db)", cmd.name, path)
		}
	}
	st, err := app.OpenStore(ctx, cfg.Database, e.getenv, nil, e.now)
	if err != nil {
		return err
	}
	err = cmd.run(ctx, e, st, o)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// audit records a change made from the terminal.
func audit(ctx context.Context, e env, st *store.Store, action, login, detail string) error {
	if err := st.Audit(ctx, store.AuditEntry{At: e.now(), Actor: cliActor, Action: action, Object: login, Detail: detail}); err != nil {
		return fmt.Errorf("the change is made but the audit log was not written: %w", err)
	}
	return nil
}

// readPassword asks a new password twice on the terminal without echo,
// or reads the first line of standard input (--password-stdin).
func readPassword(e env, stdin bool, login string) (string, error) {
	var pw string
	if stdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	} else {
		f, ok := e.stdin.(*os.File)
		if !ok || !e.interactive {
			return "", errors.New("no terminal to ask the password on: give it on standard input with --password-stdin")
		}
		ask := func(prompt string) (string, error) {
			fmt.Fprint(e.stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			return string(b), err
		}
		var err error
		if pw, err = ask(fmt.Sprintf("Password for %s (at least %d characters): ", login, password.MinLength)); err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if err := password.Check(pw); err != nil {
			return "", err
		}
		again, err := ask("The same password again: ")
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if again != pw {
			return "", errors.New("the two passwords differ; nothing was changed")
		}
	}
	if err := password.Check(pw); err != nil {
		return "", err
	}
	return pw, nil
}

// account finds login's account, with a clear error when there is none.
func account(ctx context.Context, st *store.Store, login string) (store.Account, error) {
	a, err := st.AccountByLogin(ctx, login)
	if errors.Is(err, store.ErrNotFound) {
		return a, fmt.Errorf("no account %q (boussole admin list shows them)", login)
	}
	return a, err
}

func adminCreate(ctx context.Context, e env, st *store.Store, o adminOpts) error {
	if o.role == "" {
		return errors.New("create-user: --role is required (valid roles: admin, editor, viewer)")
	}
	role, err := admin.ParseRole(o.role)
	if err != nil {
		return fmt.Errorf("create-user: %w", err)
	}
	if err := store.CheckLogin(o.login); err != nil {
		return fmt.Errorf("create-user: %w", err)
	}
	if _, err := st.AccountByLogin(ctx, o.login); err == nil {
		return fmt.Errorf("create-user: an account %q already exists (set-password changes its password)", o.login)
	}
	pw, err := readPassword(e, o.passwordStdin, o.login)
	if err != nil {
		return fmt.Errorf("create-user: %w", err)
	}
	hash, err := password.Default.Hash(pw)
	if err != nil {
		return fmt.Errorf("create-user: %w", err)
	}
	a, err := st.CreateAccount(ctx, store.Account{Login: o.login, Name: strings.TrimSpace(o.name), Role: string(role), PasswordHash: hash})
	if errors.Is(err, store.ErrLoginTaken) {
		return fmt.Errorf("create-user: an account %q already exists (set-password changes its password)", o.login)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "account %s created (%s)\n", a.Login, role)
	return audit(ctx, e, st, "account.create", a.Login, "role "+string(role))
}

func adminSetPassword(ctx context.Context, e env, st *store.Store, o adminOpts) error {
	a, err := account(ctx, st, o.login)
	if err != nil {
		return err
	}
	pw, err := readPassword(e, o.passwordStdin, a.Login)
	if err != nil {
		return fmt.Errorf("set-password: %w", err)
	}
	hash, err := password.Default.Hash(pw)
	if err != nil {
		return fmt.Errorf("set-password: %w", err)
	}
	if err := st.SetAccountPassword(ctx, a.ID, hash, ""); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "password of %s changed; its sessions are closed\n", a.Login)
	return audit(ctx, e, st, "account.password", a.Login, "set from the command line; sessions revoked")
}

func adminList(ctx context.Context, e env, st *store.Store, _ adminOpts) error {
	list, err := st.Accounts(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no account yet: boussole admin create-user LOGIN --role admin")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tROLE\tSTATUS\tNAME\tCREATED (UTC)")
	for _, a := range list {
		status := "active"
		if a.Disabled {
			status = "disabled"
		}
		if a.PasswordHash == "" {
			status += ", no password"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Login, a.Role, status, oneLine(a.Name), a.CreatedAt.UTC().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// oneLine keeps a name from breaking the table (or the terminal).
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func adminDisable(ctx context.Context, e env, st *store.Store, o adminOpts) error {
	a, err := account(ctx, st, o.login)
	if err != nil {
		return err
	}
	if err := st.SetAccountDisabled(ctx, a.ID, true); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "account %s disabled; its sessions are closed\n", a.Login)
	return audit(ctx, e, st, "account.disable", a.Login, "sessions revoked")
}

func adminEnable(ctx context.Context, e env, st *store.Store, o adminOpts) error {
	a, err := account(ctx, st, o.login)
	if err != nil {
		return err
	}
	if err := st.SetAccountDisabled(ctx, a.ID, false); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "account %s enabled\n", a.Login)
	return audit(ctx, e, st, "account.enable", a.Login, "")
}

func adminRevoke(ctx context.Context, e env, st *store.Store, o adminOpts) error {
	a, err := account(ctx, st, o.login)
	if err != nil {
		return err
	}
	n, err := st.RevokeSessions(ctx, a.ID, "")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d sessions of %s closed\n", n, a.Login)
	return audit(ctx, e, st, "session.revoke", a.Login, fmt.Sprintf("all sessions (%d)", n))
}
