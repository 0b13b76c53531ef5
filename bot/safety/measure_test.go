package safety

import (
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
