package delivery_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/delivery"
	"github.com/boussole/boussole/bot/delivery/deliverytest"
	"github.com/boussole/boussole/internal/logctx"
)

// idSeer is a Responder that remembers the request id of each turn and
// logs with it, as the engine does.
type idSeer struct {
	log *slog.Logger
	ids []string
}

func (s *idSeer) Respond(ctx context.Context, in bot.Incoming) ([]bot.Reply, error) {
	s.ids = append(s.ids, logctx.ID(ctx))
	s.log.WarnContext(ctx, "engine line")
	if in.Payload == "fail" {
		return nil, errors.New("storage down")
	}
	return nil, nil
}

func (s *idSeer) Sorry(a bot.Address) bot.Reply { return bot.Reply{To: a, Text: "désolé"} }

// Each turn has its own request id, in every log line it causes (the
// engine's and the runner's own « turn failed »), and never the message.
func TestEachTurnHasARequestID(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(logctx.Wrap(slog.NewJSONHandler(&buf, nil)))
	seer := &idSeer{log: log}
	c := &clock{time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	st := deliverytest.OpenStore(t, filepath.Join(t.TempDir(), "r.db"), c.now)
	r := delivery.NewRunner(seer, deliverytest.Dispatcher(t, st, c.now), log)
	r.Register(&deliverytest.Platform{})
	a := bot.Address{Platform: "test", User: "a"}
	ctx := context.Background()
	_ = r.Handle(ctx, bot.Incoming{Address: a, Text: "mon secret"})
	_ = r.Handle(ctx, bot.Incoming{Address: a, Text: "mon secret", Payload: "fail"})
	r.Close()
	if len(seer.ids) != 2 || seer.ids[0] == "" || seer.ids[0] == seer.ids[1] {
		t.Fatalf("turn ids = %q", seer.ids)
	}
	byID := map[string][]string{}
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		id, _ := m[logctx.Key].(string)
		byID[id] = append(byID[id], m["msg"].(string))
	}
	if got := byID[seer.ids[1]]; len(got) != 2 || got[0] != "engine line" || got[1] != "turn failed" {
		t.Errorf("lines of the failed turn = %q (all: %v)", got, byID)
	}
	if bytes.Contains(buf.Bytes(), []byte("secret")) {
		t.Errorf("a log line has the message: %s", buf.String())
	}
}
