package mattermost

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/boussole/boussole/adapters/internal/textsplit"
	"github.com/boussole/boussole/bot"
)

// Mattermost's limits.
const (
	chunkLimit     = 15000 // characters of one post (Mattermost allows 16383)
	maxButtonLabel = 60
)

// ignored reports whether a post must not reach the engine: the bot's
// own, other bots', webhooks', system messages and edits.
func ignored(p *model.Post, self string) bool {
	switch {
	case p == nil || p.UserId == "" || p.UserId == self:
		return true
	case strings.HasPrefix(p.Type, "system_"), p.Type != "":
		return true
	case p.EditAt != 0 || p.DeleteAt != 0:
		return true
	case propTrue(p, model.PostPropsFromBot), propTrue(p, model.PostPropsFromWebhook):
		return true
	}
	return false
}

// propTrue reports whether prop k is set to true ("true" or true).
func propTrue(p *model.Post, k string) bool {
	switch v := p.GetProp(k).(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// mentionRe matches a mention of a username at a word start.
func mentionRe(username string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)(^|[^\w@.-])@` + regexp.QuoteMeta(username) + `\b\.?`)
}

// mentions reports whether text mentions @username.
func mentions(text, username string) bool {
	return username != "" && mentionRe(username).MatchString(text)
}

// stripMention removes @username from text.
func stripMention(text, username string) string {
	if username != "" {
		text = mentionRe(username).ReplaceAllString(text, "$1 ")
	}
	return strings.Join(strings.Fields(text), " ")
}

// toIncoming translates a post into the engine's message; the caller
// fills the address.
func toIncoming(p *model.Post, botName string) bot.Incoming {
	return bot.Incoming{Text: stripMention(p.Message, botName), ID: p.Id}
}

// signed is the context of a button: the payload, who may click it
// ("" for anyone in the channel, as a Claim button in a mediators'
// channel), where, for which step, and the HMAC of all that.
type signed struct {
	Payload, User, Channel, Step string
}

func (s signed) mac(secret []byte) string {
	m := hmac.New(sha256.New, secret)
	for _, f := range []string{s.Payload, s.User, s.Channel, s.Step} {
		m.Write([]byte(strconv.Itoa(len(f))))
		m.Write([]byte{':'})
		m.Write([]byte(f))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// context is the integration context posted with the button.
func (s signed) context(secret []byte) map[string]any {
	return map[string]any{"p": s.Payload, "u": s.User, "c": s.Channel, "s": s.Step, "sig": s.mac(secret)}
}

// verify checks a click's context: the signature, and that user clicked
// in channel the button made for them. It returns the payload.
func verify(ctx map[string]any, user, channel string, secret []byte) (string, bool) {
	str := func(k string) string { v, _ := ctx[k].(string); return v }
	s := signed{Payload: str("p"), User: str("u"), Channel: str("c"), Step: str("s")}
	if !hmac.Equal([]byte(s.mac(secret)), []byte(str("sig"))) {
		return "", false
	}
	if s.Channel != channel || (s.User != "" && s.User != user) || s.Payload == "" {
		return "", false
	}
	return s.Payload, true
}

// render turns a reply into the posts to make in channel: its text split
// under Mattermost's limit, mentions defused, and the choices as buttons
// on the last one (or numbered lines when buttons are off). actionURL is
// Boussole's endpoint for clicks.
func render(r bot.Reply, channel, root, actionURL, step string, buttons bool, secret []byte) []*model.Post {
	text := r.Text
	if len(r.Choices) > 0 && !buttons {
		var b strings.Builder
		b.WriteString(text)
		for i, c := range r.Choices {
			b.WriteString("\n" + strconv.Itoa(i+1) + ". " + c.Label)
		}
		text = b.String()
	}
	parts := textsplit.Split(bot.DefuseMentions(text), chunkLimit)
	if len(parts) == 0 {
		parts = []string{"…"}
	}
	out := make([]*model.Post, len(parts))
	for i, p := range parts {
		out[i] = &model.Post{ChannelId: channel, RootId: root, Message: p}
	}
	if buttons && len(r.Choices) > 0 {
		var acts []*model.PostAction
		for i, c := range r.Choices {
			s := signed{Payload: c.Payload, User: r.To.User, Channel: channel, Step: step}
			acts = append(acts, &model.PostAction{
				Id: "choice" + strconv.Itoa(i), Type: model.PostActionTypeButton, Name: bot.DefuseMentions(label(c.Label)),
				Integration: &model.PostActionIntegration{URL: actionURL, Context: s.context(secret)},
			})
		}
		out[len(out)-1].AddProp(model.PostPropsAttachments, []*model.MessageAttachment{{Actions: acts}})
	}
	return out
}

// pendingPostID is the pending_post_id of part part of the reply whose
// outbox key is key, posted by the bot user self; "" without a key. salt
// is the database's own random value (see pendingSalt): outbox keys are
// row numbers, which a new database starts again.
//
// Mattermost de-duplicates post creation on it (server/channels/app/
// post.go, deduplicateCreatePost): a create whose pending_post_id the
// server saw in the last 30 seconds (pendingPostIDsCacheTTL, in the
// seenPendingPostIdsCache of the server process) returns the post
// already created instead of a new one, or fails with a 500 while that
// first create is still under way; a create that failed forgets it. The
// cache is keyed by the pending_post_id alone, server-wide, hence the
// format Mattermost's own clients use, "userId:millis" (webapp
// createPostImmediately, server tests' makePendingPostId): the user id
// makes it the bot's own. The part after the colon is a number below
// 2^63, as theirs, but derived from key and part so that every retry
// sends the same one; the server does not check the format.
func pendingPostID(self, salt, key string, part int) string {
	if key == "" || self == "" {
		return ""
	}
	h := sha256.Sum256([]byte("boussole mattermost\x00" + salt + "\x00" + key + "\x00" + strconv.Itoa(part)))
	return self + ":" + strconv.FormatUint(binary.BigEndian.Uint64(h[:8])>>1, 10)
}

// label shortens a button label; never empty.
func label(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "…"
	}
	if utf8.RuneCountInString(s) <= maxButtonLabel {
		return s
	}
	r := []rune(s)
	return string(r[:maxButtonLabel-1]) + "…"
}

// commandText maps the text after /boussole to what the engine reads:
// "ask question" and a bare question are the question; mediator
// subcommands pass as they are.
func commandText(text string) string {
	text = strings.TrimSpace(text)
	word, rest, _ := strings.Cut(text, " ")
	if strings.EqualFold(word, "ask") {
		return strings.TrimSpace(rest)
	}
	return text
}
