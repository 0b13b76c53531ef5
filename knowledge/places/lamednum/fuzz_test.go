package lamednum

import (
	"bytes"
	"context"
	"testing"
)

// FuzzRead: whatever the bytes, Read returns places, problems with a
// line, or an error; never a panic.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		`[{"id": "a", "nom": "A", "latitude": 43.3, "longitude": 5.4, "services": "Aide aux démarches administratives"}]`,
		"[\n {\"id\": \"a\",\n \"nom\": \"A\"},\n 42,\n {\"id\": \"a\"}\n]",
		`{"items": [{"id": "b", "nom": "B", "services": ["x", 1, null, {"y": 2}]}]}`,
		"id;nom;latitude;longitude\na;A;43,3;5,4\nb;\"B;1\n",
		"\ufeffid,nom,services\n1,Un,\"Prendre en main un ordinateur|Accéder à du matériel\"\n2,Deux\n",
		"", "[", "{", "\"", "id\n", "[{\"id\": \"\\ud800\", \"nom\": \"\\u0000\"}]",
	} {
		f.Add([]byte(seed))
	}
	v := NewVocabulary()
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Read(context.Background(), bytes.NewReader(data), Options{Vocabulary: v})
		if err != nil {
			return
		}
		if len(res.Places) != len(res.Lines) || len(res.Places)+len(res.Skipped) > res.Rows {
			t.Fatalf("%d places, %d lines, %d skipped of %d rows", len(res.Places), len(res.Lines), len(res.Skipped), res.Rows)
		}
		for _, s := range res.Skipped {
			if s.Line < 1 || s.Reason == "" {
				t.Fatalf("problem %+v", s)
			}
		}
		for i, p := range res.Places {
			if p.ID == "" || p.Name == "" || res.Lines[i] < 1 {
				t.Fatalf("place %+v on line %d", p, res.Lines[i])
			}
		}
	})
}
