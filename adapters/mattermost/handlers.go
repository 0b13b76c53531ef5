package mattermost

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/boussole/boussole/bot"
)

// onPostedEvent translates a websocket "posted" event.
func (a *Adapter) onPostedEvent(ev *model.WebSocketEvent) {
	data := ev.GetData()
	raw, _ := data["post"].(string)
	var p model.Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		a.log.Warn("unreadable posted event", "err", err)
		return
	}
	ct, _ := data["channel_type"].(string)
	name, _ := data["sender_name"].(string)
	a.onPost(&p, ct, name, false)
}

// onPost handles one post (live or caught up): direct messages, posts in
// a case's thread of a mediators' channel, and mentions of the bot in
// channels, which continue in a direct message.
func (a *Adapter) onPost(p *model.Post, channelType, name string, replayed bool) {
	a.mu.Lock()
	self, botName, ctx := a.self, a.selfName, a.ctx
	if !ignored(p, self) && p.CreateAt > a.lastAt[p.ChannelId] {
		a.lastAt[p.ChannelId] = p.CreateAt
	}
	if p.CreateAt > a.aliveAt {
		a.aliveAt = p.CreateAt
	}
	a.mu.Unlock()
	if ignored(p, self) || !a.firstTime("p:"+p.Id) {
		return
	}
	if channelType == "" {
		channelType = a.channelType(ctx, p.ChannelId)
	}
	in := toIncoming(p, botName)
	in.Replayed = replayed
	if len(name) > 1 && name[0] == '@' {
		in.Name = name[1:]
	}
	user := p.UserId
	root := p.RootId
	if root == "" {
		root = p.Id
	}
	a.mu.Lock()
	key, isMed := a.medKey[p.ChannelId]
	inCase := a.caseTh[p.RootId]
	a.mu.Unlock()
	switch {
	case channelType == string(model.ChannelTypeDirect):
		in.Address = addr(p.ChannelId, user)
		a.mu.Lock()
		a.roots[in.Address] = root
		a.mu.Unlock()
	case isMed:
		if !inCase && !mentions(p.Message, botName) {
			return
		}
		in.Address = addr(key, user)
		in.Roles = a.userRoles(ctx, user)
		if inCase {
			a.mu.Lock()
			changed := a.medLastKey[addrKey(in.Address)] != p.RootId
			a.medLastKey[addrKey(in.Address)] = p.RootId
			a.mu.Unlock()
			if changed {
				a.saveRouting(ctx)
			}
		}
	case !mentions(p.Message, botName):
		return
	default:
		dm, err := a.directChannel(ctx, user)
		if err != nil {
			a.log.Error("cannot open a private conversation", "channel", p.ChannelId, "err", err)
			return
		}
		// The notice answers post p: a replay of p (a catch-up) posts it
		// again only beyond the server's pending_post_id window. Post
		// ids are the server's, unique: no salt is needed.
		note := &model.Post{ChannelId: p.ChannelId, RootId: root, Message: a.cat.T(a.cfg.Lang, "mattermost_moved_dm"), PendingPostId: pendingPostID(self, "", "notice "+p.Id, 0)}
		if _, _, err := a.c.CreatePost(ctx, note); err != nil {
			a.log.Warn("public notice not sent", "channel", p.ChannelId, "err", err)
		}
		in.Address = addr(dm, user)
		a.mu.Lock()
		delete(a.roots, in.Address)
		a.mu.Unlock()
	}
	a.enqueue(in)
}

// writeJSON answers Mattermost with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// onAction receives a button click from the Mattermost server. Its
// context must carry Boussole's signature for this user and channel;
// otherwise the click is refused.
func (a *Adapter) onAction(w http.ResponseWriter, r *http.Request) {
	var req model.PostActionIntegrationRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request"})
		return
	}
	payload, ok := verify(req.Context, req.UserId, req.ChannelId, a.secret)
	if !ok {
		a.log.Warn("button click refused: bad signature, user or channel", "channel", req.ChannelId, "user", req.UserId)
		writeJSON(w, http.StatusForbidden, model.PostActionIntegrationResponse{EphemeralText: a.cat.T(a.cfg.Lang, "mattermost_bad_action")})
		return
	}
	writeJSON(w, http.StatusOK, model.PostActionIntegrationResponse{})
	id := "a:" + req.TriggerId
	if req.TriggerId == "" {
		id = "a:" + req.PostId + ":" + req.UserId + ":" + payload
	}
	if !a.firstTime(id) {
		return
	}
	in := bot.Incoming{Payload: payload, ID: id, Name: req.UserName}
	a.mu.Lock()
	key, isMed := a.medKey[req.ChannelId]
	ctx := a.ctx
	a.mu.Unlock()
	if isMed {
		in.Address = addr(key, req.UserId)
		in.Roles = a.userRoles(ctx, req.UserId)
	} else {
		in.Address = addr(req.ChannelId, req.UserId)
	}
	a.enqueue(in)
}

// onCommand receives /boussole from the Mattermost server: a question
// (which continues in a direct message when asked in a channel) or a
// mediator subcommand.
func (a *Adapter) onCommand(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request"})
		return
	}
	tok := r.PostForm.Get("token")
	a.mu.Lock()
	okTok := false
	for _, t := range a.cmdTokens {
		if t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(tok)) == 1 {
			okTok = true
		}
	}
	ctx := a.ctx
	a.mu.Unlock()
	if !okTok {
		a.log.Warn("slash command refused: bad token")
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "bad token"})
		return
	}
	user, channel := r.PostForm.Get("user_id"), r.PostForm.Get("channel_id")
	if user == "" || channel == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad request"})
		return
	}
	id := "c:" + r.PostForm.Get("trigger_id")
	if id == "c:" {
		id = "c:" + model.NewId()
	}
	if !a.firstTime(id) {
		writeJSON(w, http.StatusOK, model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral})
		return
	}
	in := bot.Incoming{Command: true, Text: commandText(r.PostForm.Get("text")), ID: id, Name: r.PostForm.Get("user_name")}
	notice := a.cat.T(a.cfg.Lang, "mattermost_received")
	a.mu.Lock()
	key, isMed := a.medKey[channel]
	a.mu.Unlock()
	switch {
	case isMed:
		in.Address = addr(key, user)
		in.Roles = a.userRoles(ctx, user)
	case a.channelType(ctx, channel) == string(model.ChannelTypeDirect):
		in.Address = addr(channel, user)
		a.mu.Lock()
		delete(a.roots, in.Address)
		a.mu.Unlock()
	default:
		dm, err := a.directChannel(ctx, user)
		if err != nil {
			a.log.Error("cannot open a private conversation", "channel", channel, "err", err)
			writeJSON(w, http.StatusOK, model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: a.cat.T(a.cfg.Lang, "mattermost_bad_action")})
			return
		}
		in.Address = addr(dm, user)
		a.mu.Lock()
		delete(a.roots, in.Address)
		a.mu.Unlock()
		notice = a.cat.T(a.cfg.Lang, "mattermost_moved_dm")
	}
	writeJSON(w, http.StatusOK, model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: notice})
	a.enqueue(in)
}

// firstTime records an event id and reports whether it is new.
func (a *Adapter) firstTime(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen.Add(id)
}

// enqueue hands in to the engine without blocking the platform's event
// loop, in order per conversation (the Handler queues).
func (a *Adapter) enqueue(in bot.Incoming) {
	in.Space = a.teamID
	a.mu.Lock()
	h, ctx := a.h, a.ctx
	a.mu.Unlock()
	h.Enqueue(ctx, in)
}
