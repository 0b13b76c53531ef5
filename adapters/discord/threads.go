package discord

import "context"

// A mediator's private thread is where every message to them about cases
// goes. Several replicas send those messages, so the thread one of them
// opened is saved in the database (adapter state) for the others, and for
// a replica started later: without it, each would open a thread of its
// own and the mediator would find the conversation split.

// medThreadKey is where the private thread of user in the mediators'
// channel is saved.
func medThreadKey(channel, user string) string {
	return Platform + ".medthread." + channel + "." + user
}

// savedMedThread returns the private thread saved for user in channel by
// any replica.
func (a *Adapter) savedMedThread(ctx context.Context, channel, user string) (string, bool) {
	if a.state == nil {
		return "", false
	}
	th, ok, err := a.state.AdapterState(ctx, medThreadKey(channel, user))
	if err != nil {
		a.log.Warn("discord: mediator's thread not read back, another may be opened", "err", err)
		return "", false
	}
	return th, ok && snowflake(th)
}

// saveMedThread records th as user's private thread in channel.
func (a *Adapter) saveMedThread(ctx context.Context, channel, user, th string) {
	if a.state == nil {
		return
	}
	if err := a.state.SetAdapterState(ctx, medThreadKey(channel, user), th); err != nil {
		a.log.Warn("discord: mediator's thread not saved, another replica may open another", "err", err)
	}
}
