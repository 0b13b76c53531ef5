package mattermost

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"

	"github.com/boussole/boussole/bot"
)

// The routing of mediators' channels (which post opened which case's
// thread, which thread a mediator last worked in) is saved in the adapter
// state, so that after a restart a mediator writing in a case thread
// without mentioning the bot is still heard, and a command's answer still
// lands in their thread.

// routingKey names the saved routing of this server.
func (a *Adapter) routingKey() string { return "mattermost.routing " + a.cfg.URL }

// maxRouted bounds each saved table: the oldest cases' threads are
// forgotten first (they are closed long since).
const maxRouted = 5000

// routing is what is saved. Citizens appear only as a hash of their
// address: the table outlives an erasure of their data.
type routing struct {
	CaseRoot map[string]string `json:"case_root"` // hash of citizen address → case post
	Threads  []string          `json:"threads"`   // case posts, oldest first
	MedLast  map[string]string `json:"med_last"`  // mediator address → thread
}

// addrHash hashes a citizen's address with the database's salt: the
// saved table cannot be matched against known user ids.
func addrHash(salt string, a bot.Address) string {
	h := sha256.Sum256([]byte(salt + "\x00" + a.Platform + "\x00" + a.Channel + "\x00" + a.User))
	return hex.EncodeToString(h[:12])
}

func addrKey(a bot.Address) string { return a.Channel + "\x00" + a.User }

// loadRouting reads the saved routing into the adapter's tables.
func (a *Adapter) loadRouting(ctx context.Context) {
	if a.state == nil {
		return
	}
	v, ok, err := a.state.AdapterState(ctx, a.routingKey())
	if err != nil {
		a.log.Warn("mattermost: case threads of the last run unknown", "err", err)
		return
	}
	if !ok {
		return
	}
	var r routing
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		a.log.Warn("mattermost: saved case threads unreadable, starting afresh", "err", err)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	maps.Copy(a.caseRootHash, r.CaseRoot)
	for _, id := range r.Threads {
		if !a.caseTh[id] {
			a.caseTh[id] = true
			a.threads = append(a.threads, id)
		}
	}
	for k, root := range r.MedLast {
		a.medLastKey[k] = root
	}
}

// saveRouting saves the routing tables; called with a.mu not held.
func (a *Adapter) saveRouting(ctx context.Context) {
	if a.state == nil {
		return
	}
	a.mu.Lock()
	for len(a.threads) > maxRouted {
		old := a.threads[0]
		a.threads = a.threads[1:]
		delete(a.caseTh, old)
		maps.DeleteFunc(a.caseRootHash, func(_, root string) bool { return root == old })
		maps.DeleteFunc(a.medLastKey, func(_, root string) bool { return root == old })
	}
	b, err := json.Marshal(routing{CaseRoot: a.caseRootHash, Threads: slices.Clone(a.threads), MedLast: a.medLastKey})
	a.mu.Unlock()
	if err == nil {
		err = a.state.SetAdapterState(ctx, a.routingKey(), string(b))
	}
	if err != nil {
		a.log.Warn("mattermost: case threads not saved (a restart would forget them)", "err", err)
	}
}
