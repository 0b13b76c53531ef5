// Package console is the local chat: it reads lines from a terminal or a
// pipe and prints the bot's replies with numbered choices. A line
// "@NAME text" speaks as another local participant, so multi-person flows
// (a citizen and mediators) can be tried and scripted without a chat
// platform.
package console

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/boussole/boussole/adapters/internal/recent"
	"github.com/boussole/boussole/bot"
)

// Platform is the platform name of console addresses.
const Platform = "console"

// maxLine bounds one input line; the rest of a longer line is discarded
// (the engine reads far less anyway).
const maxLine = 256 << 10

// Config configures the console: Settings.Config builds it from the
// configuration file; an empty User takes its DefaultSettings value.
type Config struct {
	In  io.Reader
	Out io.Writer
	// User is as in Settings.
	User string
	// Prompt is printed before each line is read when non-empty
	// (interactive terminals).
	Prompt string
}

// Adapter is the console adapter.
type Adapter struct {
	cfg Config

	mu       sync.Mutex
	speakers map[string]bool
	// sent remembers the outbox keys already printed, so a message retried
	// after a crash between printing and recording is not printed twice.
	sent *recent.Set
}

// keepKeys bounds the memory of printed keys: retries happen within
// seconds, far fewer messages than this.
const keepKeys = 4096

var _ bot.Adapter = (*Adapter)(nil)

// New returns a console adapter.
func New(cfg Config) *Adapter {
	if cfg.User == "" {
		cfg.User = DefaultSettings().User
	}
	return &Adapter{cfg: cfg, speakers: map[string]bool{}, sent: recent.New(keepKeys)}
}

// Owns implements bot.Owner: a local chat prints only what is for the
// people who write in it (its default participant and anyone who spoke
// here) and for channels; another local chat on the same database prints
// its own people's messages.
func (a *Adapter) Owns(to bot.Address) bool {
	if to.User == "" || to.User == a.cfg.User {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.speakers[to.User]
}

var _ bot.Owner = (*Adapter)(nil)

// Name implements bot.Adapter.
func (a *Adapter) Name() string { return Platform }

// Address returns the conversation address of a local participant.
func Address(user string) bot.Address {
	return bot.Address{Platform: Platform, Channel: "local", User: user}
}

// Run reads lines until end of input or ctx is done, handing each to h.
// Each line is handled before the next is read, so replies print in order.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		r := bufio.NewReaderSize(a.cfg.In, 64<<10)
		for {
			line, err := readLine(r)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					errc <- fmt.Errorf("read input: %w", err)
				} else if line != "" {
					select {
					case lines <- line:
					case <-ctx.Done():
					}
				}
				return
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	// Line numbers restart with each run: a random run id makes the ids
	// unique across runs sharing a database (handled messages are kept),
	// whatever the clock says (a test clock stands still).
	run := rand.Text()[:13]
	n := 0
	for {
		a.prompt()
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			return err
		case line, ok := <-lines:
			if !ok {
				select {
				case err := <-errc:
					return err
				default:
					return nil
				}
			}
			n++
			user, text := a.parse(line)
			if user == "" {
				continue
			}
			in := bot.Incoming{Address: Address(user), Text: text, Name: user, ID: fmt.Sprintf("line-%s-%d", run, n)}
			if err := h.Handle(ctx, in); err != nil {
				fmt.Fprintf(a.cfg.Out, "(erreur : %v)\n", err)
			}
		}
	}
}

// parse splits "@NAME text" into the speaker and the text; other lines
// are the default participant's. Blank lines are skipped (user "").
func (a *Adapter) parse(line string) (user, text string) {
	line = strings.TrimRight(line, "\r")
	if strings.TrimSpace(line) == "" {
		return "", ""
	}
	user, text = a.cfg.User, line
	if rest, ok := strings.CutPrefix(strings.TrimLeft(line, " "), "@"); ok {
		name, msg, _ := strings.Cut(rest, " ")
		if name != "" {
			user, text = name, msg
		}
	}
	a.mu.Lock()
	a.speakers[user] = true
	a.mu.Unlock()
	return user, text
}

func (a *Adapter) prompt() {
	if a.cfg.Prompt != "" {
		fmt.Fprint(a.cfg.Out, a.cfg.Prompt)
	}
}

// Send prints a reply, its links as text, its choices numbered. When
// more than one participant has spoken, the reply is prefixed with its
// recipient.
func (a *Adapter) Send(_ context.Context, r bot.Reply) error {
	a.mu.Lock()
	many := len(a.speakers) > 1
	if r.Key != "" && !a.sent.Add(r.Key) {
		a.mu.Unlock()
		return nil
	}
	a.mu.Unlock()
	var b strings.Builder
	switch {
	case r.To.User == "" && r.To.Channel != "":
		// A post in a channel (a mediators' queue), not to a person.
		b.WriteString("[#" + r.To.Channel + "] ")
	case many:
		b.WriteString("[" + r.To.User + "] ")
	}
	// A terminal shows no markdown: a link reads « label — url », the
	// address whole so that it can be opened.
	b.WriteString(bot.PlainLinks(r.Text))
	b.WriteString("\n")
	for i, c := range r.Choices {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, c.Label)
	}
	_, err := io.WriteString(a.cfg.Out, b.String())
	if err != nil {
		return fmt.Errorf("write reply: %w", err)
	}
	return nil
}

// readLine reads one line, keeping at most maxLine bytes of it.
func readLine(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := r.ReadLine()
		if b.Len() < maxLine {
			rest := maxLine - b.Len()
			if len(chunk) > rest {
				chunk = chunk[:rest]
			}
			b.Write(chunk)
		}
		if err != nil {
			return b.String(), err
		}
		if !isPrefix {
			return b.String(), nil
		}
	}
}
