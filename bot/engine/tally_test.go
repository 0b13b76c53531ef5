package engine_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/mediation"
)

// tallyLine is a tally as the tests compare it: kind and the fields that
// matter, durations in whole seconds.
func tallyLine(k bot.Tally) string {
	return strings.Join([]string{string(k.Kind), k.Platform, k.Jurisdiction, k.Queue, k.Topic, k.Reason, k.Outcome,
		k.Category, k.Confidence, time.Duration(k.Seconds * float64(time.Second)).String(), string(rune('0' + k.Value))}, "|")
}

// A scripted mediation is counted event by event, once each, only
// after its turn committed: people once per month, messages of citizens
// only, the answer with how it was found, the case's life with its waits
// and the rating; no tally carries a user or their words.
func TestTalliesOfAMediation(t *testing.T) {
	d := newDesk(t, nil)
	var got []bot.Tally
	d.tallied = func(ts []bot.Tally) { got = append(got, ts...) }
	d.reopen()

	d.say(citizen, "papiers")                          // message, person; the tree's question
	d.say(citizen, "1")                                // message; the next question
	d.say(citizen, "1")                                // message; the answer, through the tree
	d.say(citizen, "ma carte perdue")                  // message; a sure answer of the search
	rs := d.say(citizen, "je veux parler à quelqu'un") // message; consent asked
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.clock.t = d.clock.t.Add(10 * time.Minute)
	d.click(marie, "m:claim:1") // claimed after 10 min
	d.say(citizen, "merci")     // relayed: a message
	d.say(marie, "bonjour")     // a mediator's: not counted
	d.clock.t = d.clock.t.Add(20 * time.Minute)
	d.say(marie, "!fermer 1 dossier déposé") // closed after 30 min: resolved (their words are no label)
	d.click(citizen, "s:1:4")                // rated 4
	d.say(citizen, "blorf zquix")            // not understood
	d.clock.t = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	d.say(citizen, "blorf encore") // a new month: the person again

	var lines []string
	for _, k := range got {
		lines = append(lines, tallyLine(k))
	}
	// The fixture's items and tree name no jurisdiction: none is counted.
	want := []string{
		"message|test||||||||0s|0", "person|test||||||||0s|0",
		"message|test||||||||0s|0",
		"message|test||||||||0s|0", "answered|test|||papiers||||tree|0s|0",
		"message|test||||||||0s|0", "answered|test|||papiers||||sure|0s|0",
		"message|test||||||||0s|0",
		"message|test||||||||0s|0", "escalated|test||papiers|papiers|asked||||0s|0",
		"claimed|test||papiers|papiers|||||10m0s|0",
		"message|test||||||||0s|0",
		"closed|test||papiers|papiers||resolved|||30m0s|0",
		"message|test||||||||0s|0", "rating|test||papiers|papiers|||||0s|4",
		"message|test||||||||0s|0", "not_understood|test||||||||0s|0",
		"message|test||||||||0s|0", "person|test||||||||0s|0", "not_understood|test||||||||0s|0",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("tallies:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for _, k := range got {
		if s := tallyLine(k); strings.Contains(s, "alice") || strings.Contains(s, "marie") || strings.Contains(s, "blorf") {
			t.Errorf("a tally names a person or their words: %s", s)
		}
	}
}

// A danger message is counted once per kind of danger; a citizen who
// cancels their case closes it « cancelled », with the wait since it
// opened.
func TestTalliesOfDangerAndCancel(t *testing.T) {
	d := newDesk(t, mediation.Hours(nil))
	var got []bot.Tally
	d.tallied = func(ts []bot.Tally) { got = append(got, ts...) }
	d.reopen()
	d.say(citizen, "je veux mourir")
	rs := d.say(citizen, "je veux parler à quelqu'un")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.clock.t = d.clock.t.Add(5 * time.Minute)
	d.say(citizen, "annuler")
	count := map[string]int{}
	for _, k := range got {
		count[string(k.Kind)+":"+k.Category+k.Outcome]++
		if k.Kind == bot.TallyClosed && k.Seconds != 300 {
			t.Errorf("closed after %v s, want 300", k.Seconds)
		}
	}
	if count["danger:suicide"] != 1 || count["escalated:"] != 1 || count["closed:cancelled"] != 1 || count["person:"] != 1 {
		t.Errorf("tallies = %v", count)
	}
}

// countKinds counts tallies by kind, with the queue and seconds of claims.
func countKinds(ts []bot.Tally) map[string]int {
	n := map[string]int{}
	for _, k := range ts {
		n[string(k.Kind)]++
		if k.Kind == bot.TallyClaimed {
			n["claimed in "+k.Queue+" after "+time.Duration(k.Seconds*float64(time.Second)).String()]++
		}
	}
	return n
}

// A case claimed, handed to another queue and claimed there again is one
// claim, with its first wait; a case handed to a mediator before anyone
// claimed it is claimed then.
func TestTalliesCountOneClaimPerCase(t *testing.T) {
	d := newDesk(t, nil)
	var got []bot.Tally
	d.tallied = func(ts []bot.Tally) { got = append(got, ts...) }
	d.reopen()
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.clock.t = d.clock.t.Add(10 * time.Minute)
	d.click(marie, "m:claim:1")
	d.say(marie, "!transferer 1 logement")
	d.clock.t = d.clock.t.Add(2 * time.Hour)
	d.click(paul, "m:claim:1")
	if n := countKinds(got); n["claimed"] != 1 || n["claimed in default after 10m0s"] != 1 {
		t.Errorf("claims after a transfer to a queue: %v", n)
	}

	got = nil
	other := bot.Address{Platform: "test", Channel: "dm", User: "bob"}
	rs = d.say(other, "humain")
	d.click(other, payloadFor(t, rs, other, "Oui, partager"))
	d.clock.t = d.clock.t.Add(5 * time.Minute)
	d.say(marie, "!transferer 2 @paul")
	if n := countKinds(got); n["claimed"] != 1 || n["claimed in default after 5m0s"] != 1 {
		t.Errorf("claims of a case handed to a mediator: %v", n)
	}
}

// A mediator trying the bot (a question, words of danger) is no citizen
// helped; a person who asks to be forgotten with a case open ends it,
// counted as cancelled, and their last message is still counted.
func TestTalliesOfMediatorsAndForgetting(t *testing.T) {
	d := newDesk(t, nil)
	var got []bot.Tally
	d.tallied = func(ts []bot.Tally) { got = append(got, ts...) }
	d.reopen()
	d.say(marie, "ma carte perdue")
	d.say(marie, "je veux mourir")
	if len(got) != 0 {
		t.Errorf("a mediator's tries are counted: %+v", got)
	}
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	got = nil
	d.say(citizen, "oublie-moi")
	n := countKinds(got)
	closed := 0
	for _, k := range got {
		if k.Kind == bot.TallyClosed && k.Outcome == bot.OutcomeCancelled {
			closed++
		}
	}
	if closed != 1 || n["message"] != 1 {
		t.Errorf("forgetting with a case open: %+v", got)
	}
}
