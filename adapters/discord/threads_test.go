package discord

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/boussole/boussole/adapters/discord/discordtest"
)

// A process started after a mediator's thread was opened (a restarted or
// another replica) sends to that thread, not a new one: the citizen's
// next message reaches the thread the mediator is reading.
func TestMediatorThreadIsFoundAgainByAnotherRun(t *testing.T) {
	t.Parallel()
	f := discordtest.Start(t, time.Now)
	db := filepath.Join(t.TempDir(), "boussole.db")
	cfg := Config{GuildIDs: []string{discordtest.GuildID}, MediatorChannels: []string{"300"}}
	_, stop := startStack(t, f, db, cfg, discordQueue)
	f.DM("8", "humain")
	queue := f.WaitPosts(t, "300", 1)
	_, ids := queue[0].Buttons()
	f.Click("300", "7", ids[0], true, "50")
	medThread := f.WaitPrivateThread(t, "7")
	f.WaitPosts(t, medThread, 1)
	stop()

	_, stop2 := startStack(t, f, db, cfg, discordQueue)
	t.Cleanup(stop2)
	f.DM("8", "Vous êtes là ?")
	f.WaitPostContaining(t, medThread, "Vous êtes là ?")
	f.Mu.Lock()
	defer f.Mu.Unlock()
	threads := 0
	for _, members := range f.Members {
		for _, m := range members {
			if m == "7" {
				threads++
			}
		}
	}
	if threads != 1 {
		t.Errorf("the mediator was added to %d private threads, want 1", threads)
	}
}
