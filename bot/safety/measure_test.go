package safety

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMeasure(t *testing.T) {
	set, err := ReadSet("s.jsonl", strings.NewReader(`{"text": "je veux mourir", "danger": "suicide"}
{"text": "mon mari me frappe", "danger": "suicide"}
{"text": "bonjour, comment refaire ma carte vitale", "danger": "suicide"}

{"text": "je tue le temps", "danger": ""}
{"text": "je veux mourir de rire", "danger": ""}
{"text": "au secours il va me tuer", "danger": ""}
{"text": "ma batterie est morte", "danger": ""}
`))
	if err != nil {
		t.Fatal(err)
	}
	r := Measure(detector(t), set)
	if r.Danger != 3 || r.Safe != 4 {
		t.Fatalf("counts %d / %d", r.Danger, r.Safe)
	}
	if r.Recall != 2.0/3 || r.Category != 0.5 || r.FalseAlarms != 0.25 {
		t.Errorf("recall %v category %v false alarms %v", r.Recall, r.Category, r.FalseAlarms)
	}
	if len(r.Misses) != 1 || r.Misses[0].Line != 3 || len(r.Alarms) != 1 || r.Alarms[0].Line != 7 {
		t.Errorf("misses %+v alarms %+v", r.Misses, r.Alarms)
	}
}

func TestReadSetErrorsNameTheLine(t *testing.T) {
	for src, want := range map[string]string{
		"{\"text\": \"a\", \"danger\": \"suicid\"}\n": `s.jsonl:1: unknown danger "suicid"`,
		"\n{\"text\": \"\"}\n":                        "s.jsonl:2: empty text",
		"{\"text\": \"a\", \"q\": 1}\n":               "s.jsonl:1",
		"{text}\n":                                    "s.jsonl:1",
		"\n":                                          "no message",
	} {
		if _, err := ReadSet("s.jsonl", strings.NewReader(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadSet(%q) = %v, want %q", src, err, want)
		}
	}
}

// TestSafetySets gates the danger layer on the labelled sets of
// testdata/safety (boussole eval --safety prints the same figures).
// dev and dev2 were tuned on: the floors (recall 0.98, false
// alarms 0.02) hold there. safety-heldout was never looked at: its floor
// sits a little below what it measured (0.875 / 0.037), to catch a
// regression, and is the honest estimate for unseen wording.
func TestSafetySets(t *testing.T) {
	d := detector(t)
	for _, tt := range []struct {
		file             string
		minRecall, maxFA float64
	}{
		{"safety-dev.jsonl", 0.98, 0.02},
		{"safety-dev2.jsonl", 0.98, 0.02},
		{"safety-dev3.jsonl", 0.98, 0.02},
		{"safety-heldout.jsonl", 0.85, 0.06},
	} {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "..", "testdata", "safety", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			set, err := ReadSet(tt.file, f)
			if err != nil {
				t.Fatal(err)
			}
			r := Measure(d, set)
			if r.Recall < tt.minRecall || r.FalseAlarms > tt.maxFA {
				t.Errorf("recall %.3f (floor %.2f), false alarms %.3f (ceiling %.2f); boussole eval --safety testdata/safety/%s --failures lists them",
					r.Recall, tt.minRecall, r.FalseAlarms, tt.maxFA, tt.file)
			}
		})
	}
}
