package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/boussole/boussole/bot"
)

// A person's private thread (a mediator's in a mediators' channel, a
// citizen's in a public channel) must be one thread whichever replica
// sends to them or receives their mention, and after a restart: the outbox
// hands a destination's messages to any replica, and with one shard every
// replica receives every mention. So the thread is recorded in the adapter
// state the replicas share, ids only, and read there before one is
// opened; the adapter's maps are a cache of it.
//
// Two replicas may open a thread for the same person at the same moment
// (a mention received by all, before the engine lets one handle it): the
// store's InitAdapterState keeps the first recorded, and the others delete
// theirs and use it.

// threadRecorder records a value unless one is there, returning the value
// kept (the store's InitAdapterState).
type threadRecorder interface {
	InitAdapterState(ctx context.Context, key, value string) (string, error)
}

// threadKey is where user's private thread of parent is recorded: under
// bot.UserStateKey, so that erasing the person (« oublie-moi ») deletes
// it with the rest of what is kept about them.
func threadKey(parent, user string) string {
	return bot.UserStateKey(Platform, user) + "thread." + parent
}

// recordedThread returns the thread recorded for user in parent, "" when
// none is (or there is no shared state).
func (a *Adapter) recordedThread(ctx context.Context, parent, user string) (th string, recorded bool, err error) {
	if a.state == nil {
		return "", false, nil
	}
	th, ok, err := a.state.AdapterState(ctx, threadKey(parent, user))
	if err != nil {
		return "", false, fmt.Errorf("read the recorded private thread: %w", err)
	}
	return th, ok, nil
}

// sharedThread returns user's private thread of parent: the one recorded
// by any replica or an earlier run, or a new one named name, recorded.
// The caller holds threadMu.
func (a *Adapter) sharedThread(ctx context.Context, parent, user, name string) (string, error) {
	th, recorded, err := a.recordedThread(ctx, parent, user)
	if err != nil {
		return "", err
	}
	if th != "" {
		// The replica that opened it may have stopped before adding the
		// person, or they left it: adding again is harmless. It fails on
		// an archived thread, which a post reopens: not a reason to stop.
		if err := a.s.ThreadMemberAdd(th, user, discordgo.WithContext(ctx)); err != nil {
			a.log.Debug("discord: member not added again to a recorded thread", "thread", th, "err", err)
		}
		return th, nil
	}
	created, err := a.s.ThreadStartComplex(parent, &discordgo.ThreadStart{
		Name: truncate(name, 100), AutoArchiveDuration: 10080, Type: discordgo.ChannelTypeGuildPrivateThread, Invitable: false,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("create private thread: %w", err)
	}
	th = created.ID
	if a.state != nil {
		rec, ok := a.state.(threadRecorder)
		var kept string
		if recorded || !ok {
			// A record emptied because its thread was deleted is
			// replaced; a state without InitAdapterState (tests) is
			// written plainly.
			kept, err = th, a.state.SetAdapterState(ctx, threadKey(parent, user), th)
		} else {
			kept, err = rec.InitAdapterState(ctx, threadKey(parent, user), th)
		}
		if err != nil || kept != th {
			// Not recorded, another replica would open a second one;
			// recorded by another first, theirs is the person's.
			if derr := a.deleteThread(ctx, th); derr != nil {
				a.log.Warn("discord: private thread opened twice, the second one not deleted", "thread", th, "err", derr)
			}
			if err != nil {
				return "", fmt.Errorf("record the private thread: %w", err)
			}
			th = kept
		}
	}
	if err := a.s.ThreadMemberAdd(th, user, discordgo.WithContext(ctx)); err != nil {
		return "", fmt.Errorf("add member to private thread: %w", err)
	}
	return th, nil
}

// deleteThread deletes a thread the adapter opened and does not use.
func (a *Adapter) deleteThread(ctx context.Context, th string) error {
	_, err := a.s.ChannelDelete(th, discordgo.WithContext(ctx))
	return err
}

// forgetThread drops user's mediator thread th of channel, deleted on
// Discord's side (a post answered Unknown Channel): the cache and the
// record, emptied, so that the next send opens another.
func (a *Adapter) forgetThread(ctx context.Context, channel, user, th string) error {
	a.threadMu.Lock()
	defer a.threadMu.Unlock()
	k := [2]string{channel, user}
	a.mu.Lock()
	if a.medTh[k] == th {
		delete(a.medTh, k)
	}
	delete(a.medParent, th)
	a.mu.Unlock()
	if a.state == nil {
		return nil
	}
	cur, _, err := a.recordedThread(ctx, channel, user)
	if err != nil || cur != th {
		return err // another replica replaced it already
	}
	if err := a.state.SetAdapterState(ctx, threadKey(channel, user), ""); err != nil {
		return fmt.Errorf("forget the deleted private thread: %w", err)
	}
	return nil
}

// unknownChannel reports Discord's answer for a channel that does not
// exist (any more).
func unknownChannel(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusNotFound &&
		(re.Message == nil || re.Message.Code == 0 || re.Message.Code == discordgo.ErrCodeUnknownChannel)
}
