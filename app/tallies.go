package app

import (
	"sync"

	"github.com/boussole/boussole/bot"
)

// tallyHub passes each committed turn's tallies (engine.Deps.Tallied)
// to the parts that watch them, added once the Core is open: the
// metrics are built by the serve command, after the engine.
type tallyHub struct {
	mu       sync.RWMutex
	watchers []func([]bot.Tally)
}

// add makes fn get every tally from now on.
func (h *tallyHub) add(fn func([]bot.Tally)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers = append(h.watchers, fn)
}

// tallied hands ts to every watcher.
func (h *tallyHub) tallied(ts []bot.Tally) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, w := range h.watchers {
		w(ts)
	}
}

// WatchTallies makes fn get the tallies of every turn committed from now
// on (people, answers, danger, cases: bot.Tally); fn must not block.
func (c *Core) WatchTallies(fn func([]bot.Tally)) { c.tallies.add(fn) }
