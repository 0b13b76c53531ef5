package llmtest_test

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/boussole/boussole/bot/llm/llmtest"
)

func post(t *testing.T, srv *llmtest.Server, path, auth, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, strings.TrimSuffix(srv.BaseURL(), "/v1")+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

const chatBody = `{"model":"m","messages":[{"role":"user","content":"Bonjour \u003cMarie\u003e"}],"max_tokens":12,"response_format":{"type":"json_object"}}`

func TestServerWireFormat(t *testing.T) {
	var got llmtest.ChatRequest
	srv := llmtest.New(t, llmtest.WithKey("k1"), llmtest.WithChat(func(r llmtest.ChatRequest) llmtest.Reply {
		got = r
		return llmtest.Text("salut", 4, 1)
	}))
	tests := []struct {
		name, path, auth, body string
		wantStatus             int
		wantIn                 string
	}{
		{name: "chat", path: llmtest.ChatPath, auth: "Bearer k1", body: chatBody, wantStatus: 200, wantIn: `"content":"salut"`},
		{name: "usage", path: llmtest.ChatPath, auth: "Bearer k1", body: chatBody, wantStatus: 200, wantIn: `"prompt_tokens":4`},
		{name: "no key", path: llmtest.ChatPath, body: chatBody, wantStatus: 401, wantIn: `"code":"invalid_api_key"`},
		{name: "wrong key", path: llmtest.ChatPath, auth: "Bearer k2", body: chatBody, wantStatus: 401, wantIn: `"message":"Incorrect API key provided."`},
		{name: "not JSON", path: llmtest.ChatPath, auth: "Bearer k1", body: "{", wantStatus: 400, wantIn: `"error"`},
		{name: "no messages", path: llmtest.ChatPath, auth: "Bearer k1", body: `{"model":"m"}`, wantStatus: 400, wantIn: "wants a model and messages"},
		{name: "embeddings, one string", path: llmtest.EmbeddingsPath, auth: "Bearer k1", body: `{"model":"e","input":"carte"}`, wantStatus: 200, wantIn: `"index":0`},
		{name: "embeddings, no model", path: llmtest.EmbeddingsPath, auth: "Bearer k1", body: `{"input":["a"]}`, wantStatus: 400, wantIn: "wants a model"},
		{name: "models wants GET", path: llmtest.ModelsPath, auth: "Bearer k1", body: "", wantStatus: 405, wantIn: "wants GET"},
		{name: "unknown endpoint", path: "/v1/completions", auth: "Bearer k1", body: "{}", wantStatus: 404, wantIn: "unknown endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := post(t, srv, tt.path, tt.auth, tt.body)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantIn) {
				t.Errorf("%d %s, want %d with %q", status, body, tt.wantStatus, tt.wantIn)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if strings.Contains(body, "k2") {
				t.Errorf("the body echoes the key sent: %s", body)
			}
		})
	}
	if got.Model != "m" || got.MaxTokens != 12 || !got.JSON() || got.Messages[0].Content != "Bonjour <Marie>" {
		t.Errorf("decoded request = %+v", got)
	}
	if n := srv.Calls(llmtest.ChatPath); n != 6 {
		t.Errorf("chat calls = %d, want 6 (refused ones included)", n)
	}
	if !srv.Sent("<Marie>") || !srv.Sent(`\u003cMarie\u003e`) || srv.Sent("Pierre") {
		t.Error("Sent does not find what was sent, escaped or not, or finds what was not")
	}
	if rs := srv.Requests(); len(rs) != len(tests) || rs[0].Path != llmtest.ChatPath || string(rs[0].Body) != chatBody {
		t.Errorf("requests recorded: %d, first %+v", len(rs), rs[0])
	}
}

func TestCannedReplies(t *testing.T) {
	tests := []struct {
		name       string
		reply      llmtest.Reply
		wantStatus int
		wantHeader string
		wantIn     string
	}{
		{name: "rate limited", reply: llmtest.RateLimited("3"), wantStatus: 429, wantHeader: "3", wantIn: `"type":"invalid_request_error"`},
		{name: "server error", reply: llmtest.ServerError(), wantStatus: 500, wantIn: `"type":"server_error"`},
		{name: "any status", reply: llmtest.Error(418, "teapot"), wantStatus: 418, wantIn: `"message":"teapot"`},
		{name: "malformed", reply: llmtest.Malformed(), wantStatus: 200, wantIn: `"content": "tronq`},
		{name: "no choices", reply: llmtest.NoChoices(), wantStatus: 200, wantIn: `"choices":[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, llmtest.WithChat(llmtest.Always(tt.reply)))
			status, h, body := post(t, srv, llmtest.ChatPath, "", chatBody)
			if status != tt.wantStatus || h.Get("Retry-After") != tt.wantHeader || !strings.Contains(body, tt.wantIn) {
				t.Errorf("%d Retry-After %q %s", status, h.Get("Retry-After"), body)
			}
		})
	}
}

func TestSequence(t *testing.T) {
	h := llmtest.Sequence(llmtest.Text("a", 0, 0), llmtest.Text("b", 0, 0))
	var got []string
	for range 3 {
		got = append(got, h(llmtest.ChatRequest{}).Text)
	}
	if strings.Join(got, "") != "abb" {
		t.Errorf("sequence gave %q", got)
	}
}

func TestHangEndsWithTheServer(t *testing.T) {
	arrived := make(chan struct{})
	srv := llmtest.New(t, llmtest.WithChat(func(llmtest.ChatRequest) llmtest.Reply {
		close(arrived)
		return llmtest.Hang()
	}))
	done := make(chan error)
	go func() {
		resp, err := srv.Client().Post(srv.BaseURL()+"/chat/completions", "application/json", strings.NewReader(chatBody))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-arrived
	select {
	case err := <-done:
		t.Fatalf("request ended before Close: %v", err)
	default:
	}
	srv.Close()
	<-done // returns: Close released the hanging handler
}

func TestHashEmbed(t *testing.T) {
	embed := llmtest.HashEmbed(32)
	a, b := embed("Carte d'identité perdue"), embed("CARTE IDENTITE perdue")
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("folding differs: %v vs %v", a, b)
		}
	}
	var norm float64
	for _, x := range a {
		norm += float64(x) * float64(x)
	}
	if math.Abs(norm-1) > 1e-5 {
		t.Errorf("norm² = %v, want 1", norm)
	}
	for _, x := range embed("de la et") {
		if x != 0 {
			t.Fatal("stop words only: want the zero vector")
		}
	}
}

func TestModelsAndConcurrentCounts(t *testing.T) {
	srv := llmtest.New(t, llmtest.WithModels("x"), llmtest.WithEmbed(llmtest.EmbedWith(func(s string) []float32 { return []float32{float32(len(s))} })))
	var wg sync.WaitGroup
	for range 25 {
		wg.Go(func() {
			resp, err := srv.Client().Get(srv.BaseURL() + "/models")
			if err != nil {
				t.Error(err)
				return
			}
			var list struct {
				Data []struct{ ID string } `json:"data"`
			}
			err = json.NewDecoder(resp.Body).Decode(&list)
			resp.Body.Close()
			if err != nil || len(list.Data) != 1 || list.Data[0].ID != "x" {
				t.Errorf("models: %+v %v", list, err)
			}
		})
	}
	wg.Wait()
	if n := srv.Calls(llmtest.ModelsPath); n != 25 {
		t.Errorf("models calls = %d, want 25", n)
	}
}
