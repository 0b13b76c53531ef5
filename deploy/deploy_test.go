// Package deploy holds the files for running Boussole as a service: the
// compose trial, the systemd units, the Grafana dashboard and the
// Prometheus alerts. Its test checks them against the metrics Boussole
// exports and the hardening the units promise.
package deploy

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// metricKind is what a metric is: it says which suffixes and functions
// apply (rate of a counter, quantiles of a histogram's buckets).
type metricKind int

const (
	counter metricKind = iota
	gauge
	histogram
)

// metrics are the names Boussole exports on /metrics, with their labels.
// Keep in step with the metrics package (the lead cross-checks the two).
var metrics = map[string]struct {
	kind   metricKind
	labels []string
}{
	"boussole_messages_received_total":   {counter, []string{"platform"}},
	"boussole_messages_sent_total":       {counter, []string{"platform"}},
	"boussole_turn_duration_seconds":     {histogram, []string{"platform"}},
	"boussole_answers_total":             {counter, []string{"confidence"}},
	"boussole_not_understood_total":      {counter, []string{"jurisdiction"}},
	"boussole_danger_total":              {counter, []string{"category"}},
	"boussole_people_total":              {counter, []string{"jurisdiction"}},
	"boussole_escalations_total":         {counter, []string{"queue", "reason"}},
	"boussole_cases_closed_total":        {counter, []string{"queue", "outcome"}},
	"boussole_case_claim_wait_seconds":   {histogram, []string{"queue"}},
	"boussole_case_close_seconds":        {histogram, []string{"queue"}},
	"boussole_open_cases":                {gauge, []string{"queue", "status"}},
	"boussole_satisfaction_total":        {counter, []string{"rating"}},
	"boussole_outbox_pending":            {gauge, []string{"platform"}},
	"boussole_outbox_oldest_seconds":     {gauge, []string{"platform"}},
	"boussole_delivery_errors_total":     {counter, []string{"platform"}},
	"boussole_delivery_retries_total":    {counter, []string{"platform"}},
	"boussole_platform_reconnects_total": {counter, []string{"platform"}},
	"boussole_platform_connected":        {gauge, []string{"platform"}},
	"boussole_search_duration_seconds":   {histogram, nil},
	"boussole_llm_calls_total":           {counter, []string{"kind", "result"}},
	"boussole_llm_tokens_total":          {counter, []string{"kind"}},
	"boussole_store_errors_total":        {counter, []string{"op"}},
	"boussole_build_info":                {gauge, []string{"version", "goversion"}},
}

var (
	metricName = regexp.MustCompile(`\bboussole_[a-z0-9_]+`)
	// rateOf finds what rate() or increase() is taken of.
	rateOf = regexp.MustCompile(`\b(?:rate|increase|irate)\(\s*(boussole_[a-z0-9_]+)`)
	// selector finds a metric and the labels its matchers name.
	selector = regexp.MustCompile(`(boussole_[a-z0-9_]+)\{([^}]*)\}`)
	matcher  = regexp.MustCompile(`([a-z_]+)\s*(?:=~|!~|!=|=)`)
)

// checkExpr returns what is wrong with a PromQL expression's use of
// Boussole's metrics, and records the metrics it uses in used.
func checkExpr(expr string, used map[string]bool) []string {
	var faults []string
	for _, name := range metricName.FindAllString(expr, -1) {
		base := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(name, suf); ok {
				if m, known := metrics[b]; known && m.kind == histogram {
					base = b
				}
			}
		}
		m, ok := metrics[base]
		switch {
		case !ok:
			faults = append(faults, "unknown metric "+name)
			continue
		case m.kind == histogram && base == name:
			faults = append(faults, name+" is a histogram: use its _bucket, _sum or _count series")
		}
		used[base] = true
	}
	for _, sm := range rateOf.FindAllStringSubmatch(expr, -1) {
		n := sm[1]
		if !strings.HasSuffix(n, "_total") && !strings.HasSuffix(n, "_bucket") && !strings.HasSuffix(n, "_sum") && !strings.HasSuffix(n, "_count") {
			faults = append(faults, "rate or increase of "+n+", which is not a counter")
		}
	}
	for _, sm := range selector.FindAllStringSubmatch(expr, -1) {
		base := sm[1]
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(base, suf); ok {
				if _, known := metrics[b]; known {
					base = b
				}
			}
		}
		m, ok := metrics[base]
		if !ok {
			continue
		}
		for _, lm := range matcher.FindAllStringSubmatch(sm[2], -1) {
			if l := lm[1]; !slices.Contains(m.labels, l) && !(l == "le" && m.kind == histogram) && l != "job" && l != "instance" {
				faults = append(faults, sm[1]+" has no label "+l)
			}
		}
	}
	return faults
}

// TestCheckExprFindsFaults: the checker itself catches each mistake.
func TestCheckExprFindsFaults(t *testing.T) {
	for expr, want := range map[string]string{
		`rate(boussole_messages_total[5m])`:                                       "unknown metric boussole_messages_total",
		`histogram_quantile(0.9, rate(boussole_turn_duration_seconds[5m]))`:       "is a histogram",
		`rate(boussole_open_cases[5m])`:                                           "not a counter",
		`sum(boussole_outbox_pending{queue="x"})`:                                 "has no label queue",
		`sum by (le) (rate(boussole_search_duration_seconds_bucket{le="1"}[5m]))`: "",
	} {
		got := strings.Join(checkExpr(expr, map[string]bool{}), "; ")
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", expr, got, want)
		}
	}
}

type grafanaPanel struct {
	ID         int                         `json:"id"`
	Type       string                      `json:"type"`
	Title      string                      `json:"title"`
	Datasource *struct{ Type, UID string } `json:"datasource"`
	GridPos    *struct{ H, W, X, Y int }   `json:"gridPos"`
	Targets    []struct {
		Datasource *struct{ Type, UID string } `json:"datasource"`
		Expr       string                      `json:"expr"`
		RefID      string                      `json:"refId"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"`
}

func TestGrafanaDashboard(t *testing.T) {
	data, err := os.ReadFile("grafana/boussole.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Inputs []struct {
			Name     string `json:"name"`
			PluginID string `json:"pluginId"`
		} `json:"__inputs"`
		UID        string `json:"uid"`
		Templating struct {
			List []struct {
				Name, Type, Definition string
			} `json:"list"`
		} `json:"templating"`
		Panels []grafanaPanel `json:"panels"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&d); err != nil {
		t.Fatal(err)
	}
	if len(d.Inputs) != 1 || d.Inputs[0].Name != "DS_PROMETHEUS" || d.Inputs[0].PluginID != "prometheus" {
		t.Errorf("__inputs %+v: want the one Prometheus data source DS_PROMETHEUS, asked at import", d.Inputs)
	}
	if d.UID == "" {
		t.Error("no uid: imports would make a new dashboard each time")
	}
	if !slices.ContainsFunc(d.Templating.List, func(v struct{ Name, Type, Definition string }) bool {
		return v.Name == "DS_PROMETHEUS" && v.Type == "datasource"
	}) {
		t.Error("no datasource variable DS_PROMETHEUS")
	}
	used := map[string]bool{}
	for _, v := range d.Templating.List {
		for _, f := range checkExpr(v.Definition, used) {
			t.Errorf("variable %s: %s", v.Name, f)
		}
	}
	ids := map[int]string{}
	rows, exprs := 0, 0
	var walk func([]grafanaPanel)
	walk = func(ps []grafanaPanel) {
		for _, p := range ps {
			if prev, dup := ids[p.ID]; dup {
				t.Errorf("panels %q and %q share id %d", prev, p.Title, p.ID)
			}
			ids[p.ID] = p.Title
			if p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.H == 0 || p.GridPos.X+p.GridPos.W > 24 {
				t.Errorf("panel %q: bad gridPos %+v", p.Title, p.GridPos)
			}
			if p.Type == "row" {
				rows++
				walk(p.Panels)
				continue
			}
			if p.Datasource == nil || p.Datasource.UID != "${DS_PROMETHEUS}" {
				t.Errorf("panel %q: datasource is not ${DS_PROMETHEUS}", p.Title)
			}
			if len(p.Targets) == 0 {
				t.Errorf("panel %q: no query", p.Title)
			}
			for _, tg := range p.Targets {
				exprs++
				if tg.Datasource == nil || tg.Datasource.UID != "${DS_PROMETHEUS}" {
					t.Errorf("panel %q, query %s: datasource is not ${DS_PROMETHEUS}", p.Title, tg.RefID)
				}
				for _, f := range checkExpr(tg.Expr, used) {
					t.Errorf("panel %q, query %s: %s\n  %s", p.Title, tg.RefID, f, tg.Expr)
				}
			}
		}
	}
	walk(d.Panels)
	if rows != 5 || exprs < 20 {
		t.Errorf("%d rows and %d queries: want the five rows (traffic, answers and danger, mediation, delivery, search/LLM/store)", rows, exprs)
	}
	var unused []string
	for name := range metrics {
		if !used[name] {
			unused = append(unused, name)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("metrics on no panel: %v", unused)
	}
}

func TestPrometheusAlerts(t *testing.T) {
	data, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || r.Expr == "" || names[r.Alert] {
				t.Errorf("rule %q: empty or repeated name, or no expr", r.Alert)
			}
			names[r.Alert] = true
			if s := r.Labels["severity"]; s != "critical" && s != "warning" {
				t.Errorf("%s: severity %q, want critical or warning", r.Alert, s)
			}
			if r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: a summary and a description tell the person paged what to do", r.Alert)
			}
			for _, fault := range checkExpr(r.Expr, map[string]bool{}) {
				t.Errorf("%s: %s", r.Alert, fault)
			}
		}
	}
	for _, want := range []string{"BoussoleDown", "BoussoleNotReady", "BoussolePlatformDisconnected", "BoussoleOutboxStuck", "BoussoleStoreErrors"} {
		if !names[want] {
			t.Errorf("no alert %s", want)
		}
	}
}

// unitDirectives reads a systemd unit's Key=value lines (continuations
// joined), each key with all its values.
func unitDirectives(t *testing.T, path string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	d := map[string][]string{}
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Errorf("%s: not Key=value: %q", path, line)
			continue
		}
		d[k] = append(d[k], v)
	}
	return d
}

// The hardening the units promise (docs/deploy.md); systemd-analyze
// verify checks the syntax in CI (scripts/ci-packaging.sh).
func TestSystemdUnits(t *testing.T) {
	hardening := map[string]string{
		"DynamicUser": "yes", "User": "boussole", "StateDirectory": "boussole", "ConfigurationDirectory": "boussole",
		"ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
		"NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes",
		"RestrictNamespaces": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
		"ProtectControlGroups": "yes", "SystemCallArchitectures": "native",
	}
	for _, unit := range []string{"boussole.service", "boussole-backup.service"} {
		d := unitDirectives(t, unit)
		for k, want := range hardening {
			if !slices.Contains(d[k], want) {
				t.Errorf("%s: %s=%s missing (has %q)", unit, k, want, d[k])
			}
		}
		if !slices.Contains(d["SystemCallFilter"], "@system-service") {
			t.Errorf("%s: SystemCallFilter=@system-service missing", unit)
		}
		if len(d["ExecStart"]) != 1 || !strings.Contains(d["ExecStart"][0], "/usr/local/bin/boussole ") {
			t.Errorf("%s: ExecStart %q", unit, d["ExecStart"])
		}
	}
	d := unitDirectives(t, "boussole.service")
	for k, want := range map[string]string{"Restart": "on-failure", "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"EnvironmentFile": "-/etc/boussole/boussole.env", "TimeoutStopSec": "90s"} {
		if !slices.Contains(d[k], want) {
			t.Errorf("boussole.service: %s=%s missing (has %q)", k, want, d[k])
		}
	}
	b := unitDirectives(t, "boussole-backup.service")
	if exec := strings.Join(b["ExecStart"], ""); !strings.Contains(exec, "boussole backup --config /etc/boussole/config.yaml") ||
		!strings.Contains(exec, "$$(date -u +%%Y%%m%%d)") {
		t.Errorf("boussole-backup.service: ExecStart %q: want boussole backup to a dated file (systemd needs $$ and %%%%)", exec)
	}
	tm := unitDirectives(t, "boussole-backup.timer")
	if len(tm["OnCalendar"]) != 1 || !slices.Contains(tm["Persistent"], "true") {
		t.Errorf("boussole-backup.timer: %v", tm)
	}
}
