package llm

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"text/template"
	"unicode/utf8"

	"github.com/boussole/boussole/bot/pii"
	"github.com/boussole/boussole/knowledge"
)

// Prompts are files, versioned with the code, one per use and language
// (French for every French wording, English for English): each defines
// a "system" template (the rules) and a "user" template (the data). They
// hold no configuration and no secret: the model sees the rules, the
// person's masked words and public sheets, nothing else.
//
//go:embed prompts/*.tmpl
var promptFiles embed.FS

// Options say what the Assistant may do.
type Options struct {
	// Features turned on; absent ones are off.
	Features map[Feature]bool
	// Jurisdictions turns the model on or off by jurisdiction (FR,
	// QC…); absent ones are on. While a person's side is unknown, the
	// model is off if any side has it off.
	Jurisdictions map[string]bool
	// Queues turns the mediators' summary on or off by queue; absent
	// ones are on.
	Queues map[string]bool
	// SendDanger lets messages the danger layer recognised reach the
	// model (in a mediator's summary); off by default.
	SendDanger bool
	// MaxTokens bounds each answer; 0 leaves the client's setting.
	MaxTokens int
	// Words are the words the post-check recognises, every language
	// together (CheckWordsFrom, from the message catalogue): an English
	// answer may quote a French sheet's month.
	Words CheckWords
}

// Assistant is what Boussole asks of a language model: understanding a
// message, a grounded first answer, a mediator's summary. Each method
// masks personal data before the call and checks what comes back; an
// error means « fall back to what Boussole does without a model ». It is
// safe for concurrent use.
type Assistant struct {
	c       Client
	o       Options
	log     *slog.Logger
	prompts map[string]*template.Template // "rewrite.fr"…
	stats   assistantStats
}

type assistantStats struct {
	rewrites, rewritesFailed    atomic.Int64
	answersAccepted, answersRej atomic.Int64
	answersFailed               atomic.Int64
	summaries, summariesFailed  atomic.Int64
}

// AssistantStats counts the Assistant's work since it started.
type AssistantStats struct {
	Rewrites, RewritesFailed         int64
	AnswersAccepted, AnswersRejected int64
	AnswersFailed                    int64
	Summaries, SummariesFailed       int64
}

// NewAssistant returns an Assistant over c (usually a Guard). log may be
// nil.
func NewAssistant(c Client, o Options, log *slog.Logger) (*Assistant, error) {
	if c == nil {
		return nil, errors.New("new assistant: a client is required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Assistant{c: c, o: o, log: log, prompts: map[string]*template.Template{}}
	funcs := template.FuncMap{"join": strings.Join}
	for _, use := range []string{"rewrite", "answer", "summary"} {
		for _, lang := range []string{"fr", "en"} {
			name := use + "." + lang
			t, err := template.New(name).Funcs(funcs).Option("missingkey=error").ParseFS(promptFiles, "prompts/"+name+".tmpl")
			if err != nil {
				return nil, fmt.Errorf("new assistant: prompt %s: %w", name, err)
			}
			if t.Lookup("system") == nil || t.Lookup("user") == nil {
				return nil, fmt.Errorf("new assistant: prompt %s: needs a system and a user template", name)
			}
			a.prompts[name] = t
		}
	}
	return a, nil
}

// On reports whether feature f is on for a person in jurisdiction j
// ("" when unknown).
func (a *Assistant) On(f Feature, j string) bool {
	if !a.o.Features[f] {
		return false
	}
	if j == "" {
		// Side not known yet: an operator who turned the model off for
		// a side meant it for everyone who may be there.
		for _, on := range a.o.Jurisdictions {
			if !on {
				return false
			}
		}
		return true
	}
	if on, ok := a.o.Jurisdictions[j]; ok {
		return on
	}
	return true
}

// OnQueue reports whether the mediators of queue get a summary.
func (a *Assistant) OnQueue(queue string) bool {
	if on, ok := a.o.Queues[queue]; ok {
		return on
	}
	return true
}

// SendsDanger reports whether messages recognised as danger may reach
// the model.
func (a *Assistant) SendsDanger() bool { return a.o.SendDanger }

// Stats returns the counts so far.
func (a *Assistant) Stats() AssistantStats {
	s := &a.stats
	return AssistantStats{Rewrites: s.rewrites.Load(), RewritesFailed: s.rewritesFailed.Load(),
		AnswersAccepted: s.answersAccepted.Load(), AnswersRejected: s.answersRej.Load(), AnswersFailed: s.answersFailed.Load(),
		Summaries: s.summaries.Load(), SummariesFailed: s.summariesFailed.Load()}
}

// promptLang is the prompts' language for a person's language.
func promptLang(lang string) string {
	if strings.HasPrefix(lang, "en") {
		return "en"
	}
	return "fr"
}

// chat renders prompt use in lang with data and makes the call.
func (a *Assistant) chat(ctx context.Context, use, lang string, data any, asJSON bool) (string, error) {
	t := a.prompts[use+"."+promptLang(lang)]
	var sys, user bytes.Buffer
	if err := t.ExecuteTemplate(&sys, "system", data); err != nil {
		return "", fmt.Errorf("render %s prompt: %w", use, err)
	}
	if err := t.ExecuteTemplate(&user, "user", data); err != nil {
		return "", fmt.Errorf("render %s prompt: %w", use, err)
	}
	req := ChatRequest{Messages: []Message{{Role: RoleSystem, Content: strings.TrimSpace(sys.String())}, {Role: RoleUser, Content: strings.TrimSpace(user.String())}},
		MaxTokens: a.o.MaxTokens, JSON: asJSON}
	resp, err := a.c.Chat(ctx, req)
	if err != nil {
		return "", err
	}
	// Sizes only: prompts and outputs hold the person's words.
	a.log.Debug("model answered", "use", use, "prompt_tokens", resp.PromptTokens, "completion_tokens", resp.CompletionTokens, "chars", utf8.RuneCountInString(resp.Text))
	return resp.Text, nil
}

// RewriteInput is a message the search was unsure about.
type RewriteInput struct {
	Text string
	// Lang is the person's language, as detected.
	Lang string
	// Topic is the title of the sheet under discussion, if any: a
	// follow-up is read against it.
	Topic string
}

// Rewrite is the model's reading of a message: a short French search
// query and its topic. Boussole's own search still does the retrieval.
type Rewrite struct {
	Query string `json:"query"`
	Topic string `json:"topic"`
	Lang  string `json:"lang"`
}

// maxQuery bounds a rewritten query: a few keywords, not an answer.
const (
	maxQueryRunes = 100
	maxQueryWords = 12
)

// Rewrite reads a message into a search query. It fails (the caller keeps
// the person's words) when the model is unavailable or its answer is not
// a short query.
func (a *Assistant) Rewrite(ctx context.Context, in RewriteInput) (Rewrite, error) {
	a.stats.rewrites.Add(1)
	rw, err := a.rewrite(ctx, in)
	if err != nil {
		a.stats.rewritesFailed.Add(1)
	}
	return rw, err
}

func (a *Assistant) rewrite(ctx context.Context, in RewriteInput) (Rewrite, error) {
	data := struct{ Text, Topic string }{pii.Mask(in.Text), in.Topic}
	out, err := a.chat(ctx, "rewrite", in.Lang, data, true)
	if err != nil {
		return Rewrite{}, fmt.Errorf("rewrite: %w", err)
	}
	var rw Rewrite
	if err := decodeObject(out, &rw); err != nil {
		return Rewrite{}, fmt.Errorf("rewrite: %w", err)
	}
	rw.Query = cleanQuery(rw.Query)
	rw.Topic = cleanQuery(rw.Topic)
	switch {
	case rw.Query == "":
		return Rewrite{}, fmt.Errorf("rewrite: no query: %w", ErrNoResponse)
	case utf8.RuneCountInString(rw.Query) > maxQueryRunes || len(strings.Fields(rw.Query)) > maxQueryWords:
		return Rewrite{}, fmt.Errorf("rewrite: a query of %d words is not a query: %w", len(strings.Fields(rw.Query)), ErrNoResponse)
	}
	if len(rw.Lang) > 8 {
		rw.Lang = ""
	}
	return rw, nil
}

// placeholderRe matches what pii.Mask writes: a query keeps none.
var placeholderRe = regexp.MustCompile(`\[[a-z]+\]`)

// cleanQuery trims a query of quotes, placeholders and extra spaces.
func cleanQuery(q string) string {
	q = placeholderRe.ReplaceAllString(q, " ")
	q = strings.Trim(q, " \t\n\"'«»“”`.")
	return strings.Join(strings.Fields(q), " ")
}

// decodeObject reads the first JSON object of s: servers that ignore
// response_format wrap it in prose or a code fence.
func decodeObject(s string, v any) error {
	start, end := strings.Index(s, "{"), strings.LastIndex(s, "}")
	if start < 0 || end < start {
		return fmt.Errorf("no JSON object in the answer: %w", ErrNoResponse)
	}
	if err := json.Unmarshal([]byte(s[start:end+1]), v); err != nil {
		return fmt.Errorf("decode the answer: %v: %w", err, ErrNoResponse)
	}
	return nil
}

// AnswerInput is a question and the items Boussole retrieved for it, the
// one it answers with first.
type AnswerInput struct {
	Question string
	Lang     string
	Items    []*knowledge.Item
}

// Answer is a grounded first message that passed the post-check.
type Answer struct {
	Text string
	// Cited are the numbers of the items cited, in order of first
	// citation (1 is AnswerInput.Items[0]).
	Cited []int
}

// Answer writes the first message of an answer from the items' fields
// only, citing them as [1], [2]; the post-check (Check) rejects any
// answer with a number, date, link or organisation the cited items do
// not hold, or that does not cite the first item.
func (a *Assistant) Answer(ctx context.Context, in AnswerInput) (Answer, error) {
	if len(in.Items) == 0 {
		return Answer{}, fmt.Errorf("answer: no item: %w", ErrNoResponse)
	}
	q := pii.Mask(in.Question)
	sources := make([]Source, len(in.Items))
	for i, it := range in.Items {
		sources[i] = Source{N: i + 1, Text: ItemFacts(it, in.Lang)}
	}
	data := struct {
		Question string
		Items    []Source
	}{q, sources}
	out, err := a.chat(ctx, "answer", in.Lang, data, false)
	if err != nil {
		a.stats.answersFailed.Add(1)
		return Answer{}, fmt.Errorf("answer: %w", err)
	}
	text := strings.TrimSpace(out)
	if err := Check(text, sources, q, a.o.Words); err != nil {
		a.stats.answersRej.Add(1)
		a.log.Debug("grounded answer rejected", "reason", err)
		return Answer{}, fmt.Errorf("answer: %w", err)
	}
	cited := Citations(text)
	if !slices.Contains(cited, 1) {
		a.stats.answersRej.Add(1)
		return Answer{}, fmt.Errorf("answer: the first item is not cited: %w", ErrRejected)
	}
	a.stats.answersAccepted.Add(1)
	return Answer{Text: text, Cited: cited}, nil
}

// ItemFacts is what a model may say about an item: its fields, one per
// line, in the person's language where the item has it. Links are left
// out: Boussole writes the links itself, so any link in an answer is one
// the model made up.
func ItemFacts(it *knowledge.Item, lang string) string {
	en := strings.HasPrefix(lang, "en")
	pick := func(fr, english string) string {
		if en && english != "" {
			return english
		}
		return fr
	}
	var b strings.Builder
	line := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			b.WriteString(label + " : " + v + "\n")
		}
	}
	line("Titre", pick(it.Title, it.TitleEN))
	line("Résumé", pick(it.Summary, it.SummaryEN))
	if len(it.Audience) > 0 {
		line("Pour", strings.Join(it.Audience, ", "))
	}
	steps := it.Steps
	if en && len(it.StepsEN) > 0 {
		steps = it.StepsEN
	}
	// Steps as a list, not « Étape 3 »: a number in the facts is one the
	// post-check lets the model write.
	if len(steps) > 0 {
		b.WriteString("Étapes :\n")
		for i, s := range steps {
			if i == 8 {
				break // enough for a first message; the sheet has the rest
			}
			if s = strings.TrimSpace(s); s != "" {
				b.WriteString("- " + s + "\n")
			}
		}
	}
	if len(it.Documents) > 0 {
		line("Documents", strings.Join(it.Documents[:min(len(it.Documents), 8)], " ; "))
	}
	var online []string
	for _, l := range it.Where.Online {
		if l.Label != "" {
			online = append(online, l.Label)
		}
	}
	if len(online) > 0 {
		line("En ligne", strings.Join(online, " ; "))
	}
	line("Guichet", it.Where.Office)
	line("Téléphone", it.Where.Phone)
	line("Coût", it.Cost)
	line("Délai", it.Delay)
	out := b.String()
	// A bounded prompt: an imported sheet can be long.
	const maxFacts = 3000
	if len(out) > maxFacts {
		cut := maxFacts
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	return strings.TrimSpace(out)
}

// SummaryInput is a conversation handed to a mediator: the person's own
// words, oldest first, and what the bot showed.
type SummaryInput struct {
	// Lang is the mediators' language.
	Lang  string
	Topic string
	// Shown are the titles of the sheets shown.
	Shown []string
	Turns []string
}

// Summary is a three-line summary for a mediator, machine-written.
type Summary struct {
	Situation string `json:"situation"`
	Tried     string `json:"tried"`
	Asks      string `json:"asks"`
}

// maxSummaryLine bounds each line of a summary.
const maxSummaryLine = 240

// Summarize writes a mediator's three lines. The person's words are
// masked before the call, and the lines again after it.
func (a *Assistant) Summarize(ctx context.Context, in SummaryInput) (Summary, error) {
	a.stats.summaries.Add(1)
	s, err := a.summarize(ctx, in)
	if err != nil {
		a.stats.summariesFailed.Add(1)
	}
	return s, err
}

func (a *Assistant) summarize(ctx context.Context, in SummaryInput) (Summary, error) {
	if len(in.Turns) == 0 {
		return Summary{}, fmt.Errorf("summarize: no message: %w", ErrNoResponse)
	}
	turns := make([]string, len(in.Turns))
	for i, t := range in.Turns {
		turns[i] = pii.Mask(t)
	}
	data := struct {
		Topic        string
		Shown, Turns []string
	}{in.Topic, in.Shown, turns}
	out, err := a.chat(ctx, "summary", in.Lang, data, true)
	if err != nil {
		return Summary{}, fmt.Errorf("summarize: %w", err)
	}
	var s Summary
	if err := decodeObject(out, &s); err != nil {
		return Summary{}, fmt.Errorf("summarize: %w", err)
	}
	for _, f := range []*string{&s.Situation, &s.Tried, &s.Asks} {
		*f = strings.Join(strings.Fields(pii.Mask(*f)), " ")
		if *f == "" {
			return Summary{}, fmt.Errorf("summarize: a line is empty: %w", ErrNoResponse)
		}
		if utf8.RuneCountInString(*f) > maxSummaryLine {
			r := []rune(*f)
			*f = string(r[:maxSummaryLine-1]) + "…"
		}
	}
	return s, nil
}
