// Package bottest runs conversation test files against the engine: the
// Boussole equivalent of Dialogflow test cases and Rasa test stories, for
// developers and for admins checking their trees.
//
// A file is plain text, one instruction per line:
//
//	# a comment
//	> cni perdu                  the default participant says "cni perdu"
//	> @marie bonjour             participant marie says "bonjour"
//	click 2                      click the 2nd button of the last reply to the default participant
//	click @marie Passeport       marie clicks the button labelled "Passeport"
//	click @marie #mediateurs 1   marie clicks a button of the last post in
//	                             channel #mediateurs (a mediators' queue)
//	< carte d'identité           some reply to the last message contains this
//	                             (case-, accent- and punctuation-insensitive)
//	< /vérifiée le \d\d/         some reply matches this regular expression
//	                             (case-insensitive)
//	<! passeport                 no reply to the last message contains this
//	<! /@everyone/               no reply matches this regular expression
//	<count 2                     the last message got exactly 2 replies
//	clock 2026-11-23T10:00:00Z   the instant the whole file runs at (first
//	                             instruction only), for expectations that
//	                             hold on some days only, such as opening
//	                             hours; a file without it must hold on any
//	                             day (go test runs it in 2020 and 2035 too)
//
// Expectations read the messages delivered because of the last message
// sent, to any participant, rendered as "[recipient] text" (or
// "[#channel] text" for a post in a channel) followed by the numbered
// choices, as the local chat shows them.
package bottest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/knowledge/analysis"
)

// Driver is the bot as the harness drives it: Send handles one message
// and returns every message delivered because of it, to anyone (the
// citizen's replies, a relay to a mediator, a post in a queue channel).
type Driver interface {
	Send(ctx context.Context, in bot.Incoming) ([]bot.Reply, error)
}

// Responder is an engine whose replies are all its deliveries.
type Responder interface {
	Respond(ctx context.Context, in bot.Incoming) ([]bot.Reply, error)
}

// Direct drives a Responder, reading its replies as the deliveries.
type Direct struct{ R Responder }

// Send implements Driver.
func (d Direct) Send(ctx context.Context, in bot.Incoming) ([]bot.Reply, error) {
	return d.R.Respond(ctx, in)
}

// AddressFunc gives the address of a named participant.
type AddressFunc func(user string) bot.Address

// Script is a parsed conversation test file.
type Script struct {
	Name string
	// Clock is the instant the file says it runs at (its clock
	// instruction), zero when it holds on any day.
	Clock time.Time
	steps []step
}

type stepKind int

const (
	stepSay stepKind = iota
	stepClick
	stepExpect
	stepExpectRegexp
	stepExpectNot
	stepExpectNotRegexp
	stepCount
)

type step struct {
	line  int
	kind  stepKind
	user  string // "" = default participant
	from  string // for a click: "#channel" whose post holds the button
	text  string
	re    *regexp.Regexp
	count int
	raw   string
}

// Failure is one expectation that did not hold.
type Failure struct {
	File string
	Line int
	// Expect is the instruction as written.
	Expect string
	// Got is what the bot actually said after the last message.
	Got string
}

func (f Failure) String() string {
	got := f.Got
	if got == "" {
		got = "(no reply)"
	}
	return fmt.Sprintf("%s:%d: expected %s\n  the bot said:\n%s", f.File, f.Line, f.Expect, indent(got, "    "))
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n")
}

// Parse reads a script. Syntax errors name the line.
func Parse(name string, r io.Reader) (*Script, error) {
	s := &Script{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(trimmed, "clock "); ok {
			if len(s.steps) > 0 || !s.Clock.IsZero() {
				return nil, fmt.Errorf("%s:%d: clock must be the first instruction, once", name, n)
			}
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(rest))
			if err != nil {
				return nil, fmt.Errorf("%s:%d: clock needs an instant such as 2026-11-23T10:00:00Z: %w", name, n, err)
			}
			s.Clock = t
			continue
		}
		st, err := parseLine(trimmed)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		st.line, st.raw = n, trimmed
		s.steps = append(s.steps, st)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(s.steps) == 0 {
		return nil, fmt.Errorf("%s: no instruction (want lines starting with >, <, <!, <count or click)", name)
	}
	return s, nil
}

func parseLine(l string) (step, error) {
	switch {
	case strings.HasPrefix(l, "<count"):
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(l, "<count")))
		if err != nil {
			return step{}, fmt.Errorf("<count needs a number: %q", l)
		}
		return step{kind: stepCount, count: n}, nil
	case strings.HasPrefix(l, "<!"):
		t := strings.TrimSpace(l[2:])
		if len(t) >= 2 && strings.HasPrefix(t, "/") && strings.HasSuffix(t, "/") {
			re, err := regexp.Compile("(?is)" + t[1:len(t)-1])
			if err != nil {
				return step{}, fmt.Errorf("bad regular expression: %w", err)
			}
			return step{kind: stepExpectNotRegexp, re: re}, nil
		}
		if analysis.Fold(t) == "" {
			return step{}, fmt.Errorf("<! needs text with letters or digits")
		}
		return step{kind: stepExpectNot, text: t}, nil
	case strings.HasPrefix(l, "<"):
		t := strings.TrimSpace(l[1:])
		if len(t) >= 2 && strings.HasPrefix(t, "/") && strings.HasSuffix(t, "/") {
			re, err := regexp.Compile("(?is)" + t[1:len(t)-1])
			if err != nil {
				return step{}, fmt.Errorf("bad regular expression: %w", err)
			}
			return step{kind: stepExpectRegexp, re: re}, nil
		}
		if analysis.Fold(t) == "" {
			return step{}, fmt.Errorf("< needs text with letters or digits, or a /regexp/")
		}
		return step{kind: stepExpect, text: t}, nil
	case strings.HasPrefix(l, ">"):
		user, text := splitUser(strings.TrimPrefix(strings.TrimPrefix(l, ">"), " "))
		return step{kind: stepSay, user: user, text: text}, nil
	case strings.HasPrefix(l, "click "):
		user, text := splitUser(strings.TrimSpace(strings.TrimPrefix(l, "click ")))
		from := ""
		if strings.HasPrefix(text, "#") {
			from, text, _ = strings.Cut(text, " ")
		}
		if text == "" {
			return step{}, fmt.Errorf("click needs a button number or label")
		}
		return step{kind: stepClick, user: user, from: from, text: text}, nil
	}
	return step{}, fmt.Errorf("unknown instruction %q (want >, <, <!, <count or click)", l)
}

// splitUser splits "@NAME rest" like the local chat does.
func splitUser(s string) (user, text string) {
	if rest, ok := strings.CutPrefix(s, "@"); ok {
		name, msg, _ := strings.Cut(rest, " ")
		if name != "" {
			return name, msg
		}
	}
	return "", s
}

// Run plays the script. defaultUser names the participant of lines
// without "@NAME". It returns the failed expectations; err is for a
// failure of the engine itself or of an instruction (a click on a missing
// button).
func (s *Script) Run(ctx context.Context, r Driver, addr AddressFunc, defaultUser string) ([]Failure, error) {
	var (
		last     []bot.Reply
		fails    []Failure
		choices  = map[string][]bot.Choice{} // last choices offered to each user
		msgCount int
	)
	for _, st := range s.steps {
		user := st.user
		if user == "" {
			user = defaultUser
		}
		switch st.kind {
		case stepSay, stepClick:
			msgCount++
			in := bot.Incoming{Address: addr(user), Name: user, ID: "t" + strconv.Itoa(msgCount)}
			if st.kind == stepSay {
				in.Text = st.text
			} else {
				source := user
				if st.from != "" {
					source = st.from
				}
				c, err := findChoice(choices[source], st.text)
				if err != nil {
					return fails, fmt.Errorf("%s:%d: %w", s.Name, st.line, err)
				}
				in.Payload = c.Payload
			}
			var err error
			last, err = r.Send(ctx, in)
			if err != nil {
				return fails, fmt.Errorf("%s:%d: engine: %w", s.Name, st.line, err)
			}
			// Each recipient's buttons are those of its last reply with
			// choices in this turn; a turn without any expires them.
			turnChoices := map[string][]bot.Choice{}
			for _, rep := range last {
				who := rep.To.User
				if who == "" {
					who = "#" + rep.To.Channel
				}
				if len(rep.Choices) > 0 || turnChoices[who] == nil {
					turnChoices[who] = rep.Choices
				}
			}
			for u, c := range turnChoices {
				choices[u] = c
			}
		default:
			got := Render(last)
			if !st.holds(got) {
				fails = append(fails, Failure{File: s.Name, Line: st.line, Expect: st.raw, Got: got})
			}
		}
	}
	return fails, nil
}

func (st step) holds(got string) bool {
	switch st.kind {
	case stepExpect:
		return containsFolded(got, st.text)
	case stepExpectNot:
		return !containsFolded(got, st.text)
	case stepExpectRegexp:
		return st.re.MatchString(got)
	case stepExpectNotRegexp:
		return !st.re.MatchString(got)
	case stepCount:
		return strings.Count(got, "\x1e") == st.count
	}
	return false
}

// containsFolded compares case-, accent- and punctuation-insensitively,
// on whole-word boundaries at both ends of the expectation.
func containsFolded(got, want string) bool {
	return strings.Contains(" "+analysis.Fold(got)+" ", " "+analysis.Fold(want)+" ")
}

// Render shows replies as the local chat does; each reply ends with an
// invisible record separator so <count can count them.
func Render(rs []bot.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		who := r.To.User
		if who == "" {
			who = "#" + r.To.Channel // a post in a channel
		}
		fmt.Fprintf(&b, "[%s] %s\n", who, bot.PlainLinks(r.Text))
		for i, c := range r.Choices {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, c.Label)
		}
		b.WriteString("\x1e")
	}
	return b.String()
}

func findChoice(cs []bot.Choice, what string) (bot.Choice, error) {
	if len(cs) == 0 {
		return bot.Choice{}, fmt.Errorf("click %q: the last reply offered no button", what)
	}
	if n, err := strconv.Atoi(what); err == nil {
		if n < 1 || n > len(cs) {
			return bot.Choice{}, fmt.Errorf("click %d: only %d buttons", n, len(cs))
		}
		return cs[n-1], nil
	}
	want := analysis.Fold(what)
	labels := make([]string, len(cs))
	for i, c := range cs {
		if analysis.Fold(c.Label) == want {
			return c, nil
		}
		labels[i] = c.Label
	}
	return bot.Choice{}, fmt.Errorf("click %q: no such button (have: %s)", what, strings.Join(labels, " | "))
}
