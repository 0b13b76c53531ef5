package app

import (
	"strings"
	"testing"

	"github.com/boussole/boussole/bot/hours"
)

// A queue's fallback contact is one short line, on a queue that closes.
func TestQueueFallbackIsValidated(t *testing.T) {
	week := hours.Spec{TimeZone: "Europe/Paris", Week: map[string]string{"mon": "09:00-17:00"}}
	for name, tc := range map[string]struct {
		q    QueueConfig
		want string
	}{
		"none":        {QueueConfig{Hours: week}, ""},
		"phone":       {QueueConfig{Hours: week, Fallback: "39 39 (Allô Service Public)"}, ""},
		"blank":       {QueueConfig{Hours: week, Fallback: "   "}, "mediation.queues.q.fallback: blank"},
		"two lines":   {QueueConfig{Hours: week, Fallback: "39 39\nou la mairie"}, "mediation.queues.q.fallback: one line"},
		"too long":    {QueueConfig{Hours: week, Fallback: strings.Repeat("é", 201)}, "mediation.queues.q.fallback: 201 characters, at most 200"},
		"always open": {QueueConfig{Fallback: "211"}, "mediation.queues.q.fallback: the queue has no opening hours"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.q.Platform, tc.q.Channel = "console", "m"
			cfg := Default()
			cfg.Mediation.Mediators = map[string][]string{"console": {"marie"}}
			cfg.Mediation.Queues = map[string]QueueConfig{"q": tc.q}
			err := cfg.Validate([]string{"console"})
			switch {
			case tc.want == "" && err != nil:
				t.Fatal(err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
			if tc.want == "" {
				m, err := cfg.Mediation.build()
				if err != nil || m.Queues["q"].Fallback != strings.TrimSpace(tc.q.Fallback) {
					t.Fatalf("built %+v, %v", m.Queues["q"], err)
				}
			}
		})
	}
}
