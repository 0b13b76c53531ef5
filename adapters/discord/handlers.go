package discord

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/boussole/boussole/bot"
)

// onMessage translates a MESSAGE_CREATE: direct messages, messages in the
// private threads the bot opened, and mentions of the bot in server
// channels (which continue in a private place, except in mediators'
// channels).
func (a *Adapter) onMessage(m *discordgo.Message, replayed bool) {
	a.mu.Lock()
	self, ctx := a.self, a.ctx
	a.mu.Unlock()
	if ignored(m, self) || !a.firstTime("m:"+m.ID) {
		return
	}
	in := bot.Incoming{Text: stripMention(m.Content, self), Name: displayName(m.Author, m.Member), ID: m.ID, Replayed: replayed}
	user := m.Author.ID
	if m.GuildID == "" {
		in.Roles = a.rolesInDM(ctx, user, a.commands.IsCommand(in.Text))
		in.Address = addr(m.ChannelID, user)
		a.watch(m.ChannelID, "")
		a.enqueue(in)
		return
	}
	in.Roles = a.roleNames(ctx, m.GuildID, m.Member)
	in.Space = m.GuildID
	if !a.learnThread(ctx, m.ChannelID, user) {
		return
	}
	a.mu.Lock()
	parent, isMed := a.medParent[m.ChannelID]
	owner, isCitizen := a.threadUser[m.ChannelID]
	a.mu.Unlock()
	switch {
	case isMed:
		if parent[1] != user {
			return
		}
		in.Address = addr(parent[0], user)
		a.watch(m.ChannelID, m.GuildID)
	case isCitizen:
		if owner != user {
			return
		}
		in.Address = addr(m.ChannelID, user)
		a.watch(m.ChannelID, m.GuildID)
	case !mentions(m, self):
		return
	case a.medChans[m.ChannelID]:
		in.Address = addr(m.ChannelID, user)
	default:
		place, notice, err := a.citizenPlace(ctx, m.ChannelID, user, "")
		if err != nil {
			a.log.Error("cannot open a private conversation", "channel", m.ChannelID, "err", err)
			return
		}
		// The notice goes through the outbox with the turn: sent once,
		// retried if Discord is down, and not again for a message a
		// catch-up replays after it was answered.
		in.Notices = append(in.Notices, bot.Reply{To: bot.Address{Platform: Platform, Channel: m.ChannelID}, Text: notice, ReplyTo: m.ID})
		in.Address = addr(place, user)
	}
	a.enqueue(in)
}

// onInteraction translates an INTERACTION_CREATE: a button or menu click
// (acknowledged at once, before the turn runs) or /boussole.
func (a *Adapter) onInteraction(i *discordgo.Interaction) {
	a.mu.Lock()
	ctx := a.ctx
	a.mu.Unlock()
	u := interactionUser(i)
	if u == nil || u.Bot || !a.firstTime("i:"+i.ID) {
		return
	}
	in := bot.Incoming{ID: i.ID, Name: displayName(u, i.Member), Lang: langOf(i.Locale), Space: i.GuildID}
	if i.Member != nil {
		in.Roles = a.roleNames(ctx, i.GuildID, i.Member)
	} else {
		in.Roles = a.rolesInDM(ctx, u.ID, a.mediatorish(i))
	}
	// A click or /boussole in a private thread this process did not open
	// (another replica did, or this one before a restart) belongs to the
	// thread's conversation: a mediator closing a case from their thread
	// must not be taken for a citizen in a public channel.
	if i.GuildID != "" && !a.learnThread(ctx, i.ChannelID, u.ID) {
		return
	}
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		// Discord wants an answer within 3 seconds: acknowledge first.
		if err := a.s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}, discordgo.WithContext(ctx)); err != nil {
			a.log.Warn("click not acknowledged", "err", err)
		}
		d := i.MessageComponentData()
		in.Payload = d.CustomID
		if len(d.Values) > 0 {
			in.Payload = d.Values[0]
		}
		in.Address = a.addressIn(i.ChannelID, u.ID)
	case discordgo.InteractionApplicationCommand:
		d := i.ApplicationCommandData()
		if d.Name != "boussole" {
			return
		}
		if err := a.s.InteractionRespond(i, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
		}, discordgo.WithContext(ctx)); err != nil {
			a.log.Warn("command not acknowledged", "err", err)
		}
		in.Text, in.Command = commandText(d), true
		lang := in.Lang
		if lang == "" {
			lang = a.cfg.Lang
		}
		notice := a.cat.T(lang, "discord_received")
		a.mu.Lock()
		_, isMed := a.medParent[i.ChannelID]
		_, isCitizen := a.threadUser[i.ChannelID]
		a.mu.Unlock()
		switch {
		case i.GuildID == "" || isMed || isCitizen:
			in.Address = a.addressIn(i.ChannelID, u.ID)
		case a.medChans[i.ChannelID]:
			in.Address = addr(i.ChannelID, u.ID)
			if th, err := a.mediatorThread(ctx, i.ChannelID, u.ID); err == nil {
				notice = a.cat.T(lang, "discord_moved_thread", "place", "<#"+th+">")
			}
		default:
			place, n, err := a.citizenPlace(ctx, i.ChannelID, u.ID, in.Lang)
			if err != nil {
				a.log.Error("cannot open a private conversation", "channel", i.ChannelID, "err", err)
				return
			}
			in.Address, notice = addr(place, u.ID), n
		}
		if _, err := a.s.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &notice, AllowedMentions: noMentions()}, discordgo.WithContext(ctx)); err != nil {
			a.log.Warn("command response not edited", "err", err)
		}
	default:
		return
	}
	a.enqueue(in)
}

// learnThread recognises a private thread the bot opened before (in
// another replica, or before a restart): its first writer is its citizen,
// or its mediator when its parent is a mediators' channel. Other channels
// are looked up once. It reports false when the channel could not be
// looked up: the event is then not handled here.
func (a *Adapter) learnThread(ctx context.Context, channel, user string) bool {
	a.mu.Lock()
	_, isMed := a.medParent[channel]
	_, isCitizen := a.threadUser[channel]
	known := isMed || isCitizen || a.medChans[channel] || !a.looked.Add(channel)
	self := a.self
	a.mu.Unlock()
	if known {
		return true
	}
	var (
		ch  *discordgo.Channel
		err error
	)
	// A few quick tries: under load Discord (or a proxy) may refuse one.
	for try := range lookupTries {
		if ch, err = a.s.Channel(channel, discordgo.WithContext(ctx)); err == nil || ctx.Err() != nil {
			break
		}
		a.sleep(ctx, time.Duration(try+1)*lookupPause)
	}
	if err != nil {
		// Not remembered as looked at, so the next event tries again;
		// this one is left to a replica that knows the channel rather
		// than answered at the wrong address (a mediator's thread taken
		// for a new conversation).
		a.mu.Lock()
		a.looked.Forget(channel)
		a.mu.Unlock()
		a.log.Warn("event in a channel that could not be looked up, left unanswered here", "channel", channel, "err", err)
		return false
	}
	if ch.Type != discordgo.ChannelTypeGuildPrivateThread || ch.OwnerID != self || self == "" {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.medChans[ch.ParentID] {
		k := [2]string{ch.ParentID, user}
		if _, ok := a.medTh[k]; !ok {
			a.medTh[k] = channel
		}
		a.medParent[channel] = k
		return true
	}
	a.threadUser[channel] = user
	a.citizenTh[[2]string{ch.ParentID, user}] = channel
	return true
}

// Channel look-ups: tries, and the pause growing between them.
const (
	lookupTries = 3
	lookupPause = 200 * time.Millisecond
)

// sleep waits d or until ctx is done.
func (a *Adapter) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// addressIn is the conversation address of user writing in channel: a
// mediator's thread stands for its mediators' channel.
func (a *Adapter) addressIn(channel, user string) bot.Address {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, ok := a.medParent[channel]; ok && p[1] == user {
		return addr(p[0], user)
	}
	return addr(channel, user)
}

// firstTime records an event id and reports whether it is new: a resume
// may replay events already handled.
func (a *Adapter) firstTime(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen.Add(id)
}

// roleNames returns the names of a member's roles in guild.
func (a *Adapter) roleNames(ctx context.Context, guild string, m *discordgo.Member) []string {
	if m == nil || len(m.Roles) == 0 || guild == "" {
		return nil
	}
	lookup := func() (map[string]string, bool) {
		a.mu.Lock()
		defer a.mu.Unlock()
		names := a.roles[guild]
		for _, r := range m.Roles {
			if _, ok := names[r]; !ok {
				return names, false
			}
		}
		return names, true
	}
	names, ok := lookup()
	if !ok {
		rs, err := a.s.GuildRoles(guild, discordgo.WithContext(ctx))
		if err != nil {
			a.log.Warn("cannot read server roles", "guild", guild, "err", err)
		} else {
			names = map[string]string{}
			for _, r := range rs {
				names[r.ID] = r.Name
			}
			a.mu.Lock()
			a.roles[guild] = names
			a.mu.Unlock()
		}
	}
	var out []string
	for _, r := range m.Roles {
		if n, ok := names[r]; ok {
			out = append(out, n)
		}
	}
	return out
}

// enqueue hands in to the engine without blocking the platform's event
// loop, in order per conversation (the Handler queues).
func (a *Adapter) enqueue(in bot.Incoming) {
	a.mu.Lock()
	h, ctx := a.h, a.ctx
	a.mu.Unlock()
	h.Enqueue(ctx, in)
}

// heldRoles are the role names a user holds, and when they were read.
type heldRoles struct {
	names []string
	at    time.Time
}

// rolesFresh is how long roles looked up for direct messages are trusted:
// a role taken away stops counting within it.
const rolesFresh = 10 * time.Minute

// rolesInDM returns the role names the author of a direct message holds
// in the configured guilds, so that a mediator configured by role can
// command and relay from a DM. Discord sends no member with a DM and a
// lookup is a REST call per guild, so it is made only for a message that
// reads as a mediator's command (mediatorish), or to refresh the roles of
// someone found holding some; the answer is kept rolesFresh.
func (a *Adapter) rolesInDM(ctx context.Context, user string, mediatorish bool) []string {
	if len(a.cfg.GuildIDs) == 0 {
		return nil
	}
	now := a.now()
	a.mu.Lock()
	held, known := a.dmRoles[user]
	a.mu.Unlock()
	if known && now.Sub(held.at) < rolesFresh {
		return held.names
	}
	if !mediatorish && len(held.names) == 0 {
		return nil
	}
	var names []string
	failed := false
	for _, g := range a.cfg.GuildIDs {
		m, err := a.s.GuildMember(g, user, discordgo.WithContext(ctx))
		if err != nil {
			// Not a member of that guild (404): no roles there. Another
			// failure is not remembered, so the next message asks again.
			var re *discordgo.RESTError
			failed = failed || !errors.As(err, &re) || re.Response == nil || re.Response.StatusCode != http.StatusNotFound
			a.log.Debug("discord: member not read for a direct message", "guild", g, "err", err)
			continue
		}
		for _, n := range a.roleNames(ctx, g, m) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if failed {
		return names
	}
	a.mu.Lock()
	if len(a.dmRoles) >= keep {
		clear(a.dmRoles) // a bound, not a cache policy: lookups are rare
	}
	a.dmRoles[user] = heldRoles{names: names, at: now}
	a.mu.Unlock()
	return names
}

// mediatorish reports an interaction only a mediator would send: a click
// on a mediator's button ("m:…") or a mediator's /boussole subcommand.
func (a *Adapter) mediatorish(i *discordgo.Interaction) bool {
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		return strings.HasPrefix(i.MessageComponentData().CustomID, "m:")
	case discordgo.InteractionApplicationCommand:
		d := i.ApplicationCommandData()
		return d.Name == "boussole" && a.commands.IsCommand(commandText(d))
	}
	return false
}
