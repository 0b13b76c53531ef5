package mattermost

import (
	"strconv"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/boussole/boussole/bot"
)

func TestIgnored(t *testing.T) {
	bot1 := &model.Post{UserId: "u1"}
	bot1.AddProp(model.PostPropsFromBot, "true")
	hook := &model.Post{UserId: "u1"}
	hook.AddProp(model.PostPropsFromWebhook, "true")
	cases := map[string]struct {
		p    *model.Post
		want bool
	}{
		"citizen":     {&model.Post{UserId: "u1", Message: "bonjour"}, false},
		"own":         {&model.Post{UserId: "me"}, true},
		"other bot":   {bot1, true},
		"webhook":     {hook, true},
		"system join": {&model.Post{UserId: "u1", Type: model.PostTypeJoinChannel}, true},
		"system any":  {&model.Post{UserId: "u1", Type: "system_whatever"}, true},
		"edit":        {&model.Post{UserId: "u1", EditAt: 5}, true},
		"deleted":     {&model.Post{UserId: "u1", DeleteAt: 5}, true},
		"nil":         {nil, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := ignored(tc.p, "me"); got != tc.want {
				t.Fatalf("ignored = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMentions(t *testing.T) {
	cases := []struct {
		text      string
		mentioned bool
		stripped  string
	}{
		{"@boussole bonjour", true, "bonjour"},
		{"bonjour @Boussole, carte grise", true, "bonjour , carte grise"},
		{"écrire à boussole@example.org", false, "écrire à boussole@example.org"},
		{"@boussolette salut", false, "@boussolette salut"},
		{"salut", false, "salut"},
	}
	for _, tc := range cases {
		if got := mentions(tc.text, "boussole"); got != tc.mentioned {
			t.Errorf("mentions(%q) = %v", tc.text, got)
		}
		if got := stripMention(tc.text, "boussole"); got != tc.stripped {
			t.Errorf("stripMention(%q) = %q, want %q", tc.text, got, tc.stripped)
		}
	}
}

func TestToIncoming(t *testing.T) {
	p := &model.Post{Id: "p1", UserId: "u1", ChannelId: "c1", Message: "@boussole  carte   grise", CreateAt: 1700000000000}
	in := toIncoming(p, "boussole")
	if in.Text != "carte grise" || in.ID != "p1" {
		t.Fatalf("toIncoming = %+v", in)
	}
}

var secret = []byte("k")

func TestRenderButtonsAndSignedContext(t *testing.T) {
	r := bot.Reply{To: addr("dm1", "u1"), Text: "Choisissez @all", Choices: []bot.Choice{{Label: "Papiers", Payload: "3:0"}, {Label: " ", Payload: "3:1"}}}
	posts := render(r, "dm1", "root1", "http://127.0.0.1:8090"+ActionPath, "k1", true, secret)
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	p := posts[0]
	if p.ChannelId != "dm1" || p.RootId != "root1" || strings.Contains(p.Message, "@all") {
		t.Fatalf("post %+v", p)
	}
	atts := p.Attachments()
	if len(atts) != 1 || len(atts[0].Actions) != 2 {
		t.Fatalf("attachments %+v", atts)
	}
	act := atts[0].Actions[1]
	if act.Name != "…" || act.Type != model.PostActionTypeButton || act.Integration.URL != "http://127.0.0.1:8090/mattermost/action" {
		t.Fatalf("action %+v", act)
	}
	ctx := atts[0].Actions[0].Integration.Context
	if pl, ok := verify(ctx, "u1", "dm1", secret); !ok || pl != "3:0" {
		t.Fatalf("verify = %q %v", pl, ok)
	}
	t.Run("another user", func(t *testing.T) {
		if _, ok := verify(ctx, "u2", "dm1", secret); ok {
			t.Fatal("replayed for another user")
		}
	})
	t.Run("another channel", func(t *testing.T) {
		if _, ok := verify(ctx, "u1", "dm2", secret); ok {
			t.Fatal("replayed in another channel")
		}
	})
	t.Run("forged payload", func(t *testing.T) {
		f := map[string]any{}
		for k, v := range ctx {
			f[k] = v
		}
		f["p"] = "m:claim:1"
		if _, ok := verify(f, "u1", "dm1", secret); ok {
			t.Fatal("forged payload accepted")
		}
	})
	t.Run("forged user", func(t *testing.T) {
		f := map[string]any{}
		for k, v := range ctx {
			f[k] = v
		}
		f["u"] = ""
		if _, ok := verify(f, "u2", "dm1", secret); ok {
			t.Fatal("context opened to anyone")
		}
	})
	t.Run("other key", func(t *testing.T) {
		if _, ok := verify(ctx, "u1", "dm1", []byte("other")); ok {
			t.Fatal("accepted with another key")
		}
	})
	t.Run("no context", func(t *testing.T) {
		if _, ok := verify(nil, "u1", "dm1", secret); ok {
			t.Fatal("accepted without context")
		}
	})
}

func TestRenderClaimButtonForAnyMediator(t *testing.T) {
	r := bot.Reply{To: bot.Address{Platform: Platform, Channel: "med"}, Text: "Cas 1", Choices: []bot.Choice{{Label: "Claim", Payload: "m:claim:1"}}}
	ctx := render(r, "medid", "", "u", "s", true, secret)[0].Attachments()[0].Actions[0].Integration.Context
	for _, u := range []string{"m1", "m2"} {
		if pl, ok := verify(ctx, u, "medid", secret); !ok || pl != "m:claim:1" {
			t.Errorf("mediator %s: %q %v", u, pl, ok)
		}
	}
}

func TestRenderNumberedAndSplit(t *testing.T) {
	r := bot.Reply{Text: "Choisissez", Choices: []bot.Choice{{Label: "A", Payload: "1"}, {Label: "B", Payload: "2"}}}
	posts := render(r, "c", "", "u", "s", false, secret)
	if len(posts) != 1 || posts[0].Message != "Choisissez\n1. A\n2. B" || len(posts[0].Attachments()) != 0 {
		t.Fatalf("numbered: %+v", posts[0])
	}
	long := strings.Repeat("mot ", 5000)
	posts = render(bot.Reply{Text: long, Choices: r.Choices}, "c", "", "u", "s", true, secret)
	if len(posts) != 2 || len(posts[0].Attachments()) != 0 || len(posts[1].Attachments()) != 1 {
		t.Fatalf("split into %d posts", len(posts))
	}
	for _, p := range posts {
		if n := len([]rune(p.Message)); n > chunkLimit {
			t.Errorf("%d characters", n)
		}
	}
}

func TestCommandText(t *testing.T) {
	for in, want := range map[string]string{"ask carte grise": "carte grise", "carte grise": "carte grise", "claim 3": "claim 3", " close 2 ok ": "close 2 ok", "": ""} {
		if got := commandText(in); got != want {
			t.Errorf("commandText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPendingPostID(t *testing.T) {
	const self = "bs889uqc1brjmq8cw3ob5b4i7a"
	if got := pendingPostID(self, "s", "", 0); got != "" {
		t.Errorf("no key: %q, want none", got)
	}
	seen := map[string]bool{}
	for _, salt := range []string{"", "0f1e", "a17c"} {
		for _, key := range []string{"bsl-1", "bsl-2", "bsl-10", "notice abc"} {
			for part := range 3 {
				id := pendingPostID(self, salt, key, part)
				if id != pendingPostID(self, salt, key, part) {
					t.Fatalf("pendingPostID(%q, %q, %d) differs between calls", salt, key, part)
				}
				user, n, ok := strings.Cut(id, ":")
				if _, err := strconv.ParseInt(n, 10, 64); !ok || user != self || err != nil {
					t.Errorf("pendingPostID(%q, %q, %d) = %q, want %s:<number>", salt, key, part, id, self)
				}
				if seen[id] {
					t.Errorf("pendingPostID(%q, %q, %d) = %q twice", salt, key, part, id)
				}
				seen[id] = true
			}
		}
	}
}
