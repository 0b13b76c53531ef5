package llmtest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/boussole/boussole/bot/llm"
	"github.com/boussole/boussole/bot/llm/llmtest"
	"github.com/boussole/boussole/bot/llm/openai"
)

// A test scripts the server, points a real client at it, and checks what
// was sent.
func Example() {
	t := &testing.T{} // in a test, the test's own t
	srv := llmtest.New(t, llmtest.WithKey("sk-test"), llmtest.WithChat(func(r llmtest.ChatRequest) llmtest.Reply {
		if !r.JSON() {
			return llmtest.Error(400, "JSON mode expected")
		}
		return llmtest.Text(`{"query": "renouveler carte identité"}`, 42, 9)
	}))
	defer srv.Close()
	c, err := openai.New(openai.Config{BaseURL: srv.BaseURL(), Model: "m", APIKey: "sk-test"}, srv.Client())
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := c.Chat(context.Background(), llm.ChatRequest{
		Messages: []llm.Message{{Role: llm.RoleUser, Content: "ma carte d'identité expire, je fais comment ?"}},
		JSON:     true,
	})
	fmt.Println(resp.Text, resp.PromptTokens, resp.CompletionTokens, err)
	fmt.Println(srv.Calls(llmtest.ChatPath), srv.Sent("expire"), srv.Sent("0612345678"))
	// Output:
	// {"query": "renouveler carte identité"} 42 9 <nil>
	// 1 true false
}
