// Package mediation holds the rules of the hand-off to human mediators
// that do not depend on a conversation's turn: who is a mediator, which
// queue a case goes to and when it is staffed, what a mediator's command
// reads as, and how one person's words are made safe to show to another.
// The engine (bot/engine) applies them during a turn.
package mediation

import (
	"slices"
	"time"

	"github.com/boussole/boussole/bot"
)

// DefaultQueue receives escalations that name no topic, and the cases of
// a queue that has no channel of its own.
const DefaultQueue = "default"

// Hours is when a queue's mediators answer (bot/hours implements it).
type Hours interface {
	Open(t time.Time) bool
	Next(t time.Time) (time.Time, bool)
	Describe(lang string) string
	FormatNext(t time.Time, lang string) string
}

// Queue is where a queue's cases are announced, and when it is staffed.
type Queue struct {
	// Channel is the mediators' channel (User empty); any platform.
	Channel bot.Address
	// Hours is nil when the queue is always staffed.
	Hours Hours
	// Fallback is where the citizen can find help while the queue is
	// closed (a phone number, a place: « 39 39 (Allô Service Public) »,
	// « 211 »), told with the next opening time; "" for none.
	Fallback string
}

// Config configures the hand-off to human mediators.
type Config struct {
	// Mediators lists, per platform, the user ids allowed to use mediator
	// commands.
	Mediators map[string][]string
	// Roles lists, per platform, the role or group names whose members
	// are mediators (adapters fill Incoming.Roles).
	Roles map[string][]string
	// Queues maps queue names to their channel; cases of an unknown queue
	// go to DefaultQueue's.
	Queues map[string]Queue
	// SkipConsent shares the conversation without asking (for deployments
	// where the citizen agreed beforehand).
	SkipConsent bool
}

// IsMediator reports whether a may use mediator commands.
func (m Config) IsMediator(a bot.Address) bool {
	return slices.Contains(m.Mediators[a.Platform], a.User)
}

// IsMediatorIn reports whether the sender of in is a mediator, by user id
// or by one of the roles the platform gave them.
func (m Config) IsMediatorIn(in bot.Incoming) bool {
	if m.IsMediator(in.Address) {
		return true
	}
	for _, r := range in.Roles {
		if slices.Contains(m.Roles[in.Address.Platform], r) {
			return true
		}
	}
	return false
}

// Queue returns the configuration of queue q, falling back to the default
// queue; ok is false when no channel is configured at all.
func (m Config) Queue(q string) (Queue, bool) {
	if c, ok := m.Queues[q]; ok {
		return c, true
	}
	c, ok := m.Queues[DefaultQueue]
	return c, ok
}

// ForPlace picks the queue for a case of queue q from a person in
// jurisdiction j and, in France, département dept (« 13 »; "" when
// unknown): the first configured of "q/dept" (logement/13: the Bouches-
// du-Rhône's housing mediators), "q/J" (logement/QC), q, "default/dept",
// "default/J"; else q (which falls back to the default queue).
func (m Config) ForPlace(q, j, dept string) string {
	var try []string
	if dept != "" {
		try = append(try, q+"/"+dept)
	}
	if j != "" {
		try = append(try, q+"/"+j)
	}
	try = append(try, q)
	if dept != "" {
		try = append(try, DefaultQueue+"/"+dept)
	}
	if j != "" {
		try = append(try, DefaultQueue+"/"+j)
	}
	for _, name := range try {
		if _, ok := m.Queues[name]; ok {
			return name
		}
	}
	return q
}

// QueueNames lists the configured queues, sorted.
func (m Config) QueueNames() []string {
	names := make([]string, 0, len(m.Queues))
	for n := range m.Queues {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
