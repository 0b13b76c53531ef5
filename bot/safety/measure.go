package safety

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/evalset"
)

// Labelled is one message of a safety set: its text and the danger it
// reads as ("" for a message that must not raise an alarm).
type Labelled struct {
	Text   string `json:"text"`
	Danger string `json:"danger"`
	Lang   string `json:"lang,omitempty"`
	Where  string `json:"where,omitempty"`
	Line   int    `json:"-"`
}

// ReadSet reads a safety set, one JSON object a line; errors name the
// line.
func ReadSet(name string, r io.Reader) ([]Labelled, error) {
	return evalset.ReadLines(name, r, "message", func(m *Labelled, line int) error {
		if strings.TrimSpace(m.Text) == "" {
			return errors.New("empty text")
		}
		if m.Danger != "" && !slices.Contains(knowledge.DangerCategories, m.Danger) {
			return fmt.Errorf("unknown danger %q (have %s)", m.Danger, strings.Join(knowledge.DangerCategories, ", "))
		}
		m.Line = line
		return nil
	})
}

// Report measures a detector on a set. Recall is the share of danger
// messages recognised as danger (whatever the category: the answer gives
// numbers either way); Category the share of those whose labelled
// category is among the ones found; FalseAlarms the share of the other
// messages recognised as danger.
type Report struct {
	Danger      int       `json:"danger"`
	Safe        int       `json:"safe"`
	Recall      float64   `json:"recall"`
	Category    float64   `json:"category"`
	FalseAlarms float64   `json:"false_alarms"`
	Misses      []Outcome `json:"-"`
	Alarms      []Outcome `json:"-"`
}

// Outcome is a message the detector got wrong, with what it found.
type Outcome struct {
	Labelled
	Found []string
}

// Measure runs d on every message of set.
func Measure(d *Detector, set []Labelled) Report {
	var r Report
	found, right, alarms := 0, 0, 0
	for _, m := range set {
		got := d.Detect(m.Text)
		if m.Danger == "" {
			r.Safe++
			if got != nil {
				alarms++
				r.Alarms = append(r.Alarms, Outcome{m, got})
			}
			continue
		}
		r.Danger++
		if got == nil {
			r.Misses = append(r.Misses, Outcome{m, nil})
			continue
		}
		found++
		if slices.Contains(got, m.Danger) {
			right++
		}
	}
	if r.Danger > 0 {
		r.Recall = float64(found) / float64(r.Danger)
	}
	if found > 0 {
		r.Category = float64(right) / float64(found)
	}
	if r.Safe > 0 {
		r.FalseAlarms = float64(alarms) / float64(r.Safe)
	}
	return r
}
