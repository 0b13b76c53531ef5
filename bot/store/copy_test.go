package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/boussole/boussole/bot"
	"github.com/boussole/boussole/bot/store"
	"github.com/boussole/boussole/bot/store/pgtest"
	"github.com/boussole/boussole/bot/store/storetest"
	"github.com/boussole/boussole/knowledge"
)

// openPG opens the PostgreSQL database of dsn, closed when t ends.
func openPG(t *testing.T, dsn string) *store.Store { return openPGAt(t, dsn, clock0) }

// openPGAt is openPG on the clock now: a handle as another replica opens
// it.
func openPGAt(t testing.TB, dsn string, now func() time.Time) *store.Store {
	t.Helper()
	s, err := store.OpenPostgres(context.Background(), dsn, store.PostgresOptions{Clock: now, MaxConns: 32})
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// rawPG opens the database of dsn without the store, for checks and
// fault injection.
func rawPG(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pgRows counts every data table of the PostgreSQL database, by name.
func pgRows(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_version'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if len(names) < 20 {
		t.Fatalf("%d tables in PostgreSQL: %v", len(names), names)
	}
	out := map[string]int{}
	for _, n := range names {
		out[n] = count(t, db, n)
	}
	return out
}

// emptyPG is the row counts of a freshly migrated PostgreSQL database:
// nothing but the knowledge revision's seed row.
func assertEmptyPG(t *testing.T, db *sql.DB) {
	t.Helper()
	for table, n := range pgRows(t, db) {
		want := 0
		if table == "knowledge_revision" {
			want = 1
		}
		if n != want {
			t.Errorf("%s: %d rows left in PostgreSQL, want %d", table, n, want)
		}
	}
	var rev int64
	if err := db.QueryRow(`SELECT rev FROM knowledge_revision`).Scan(&rev); err != nil || rev != 0 {
		t.Errorf("knowledge revision %d (%v), want the seed 0", rev, err)
	}
}

var (
	alice = addr("discord", "dm-alice", "alice")
	bob   = addr("mattermost", "dm-bob", "bob")
	carol = addr("discord", "dm-carol", "carol")
)

// fill writes something in every table of s through its methods, and
// returns the ids of the cases it opened.
func fill(t *testing.T, s *store.Store) []int64 {
	t.Helper()
	ctx := t.Context()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// Conversations with turns, a case claimed with notes, one closed.
	var cases []int64
	for i, a := range []bot.Address{alice, bob} {
		id, err := s.OpenCase(ctx, bot.Case{Address: a, Queue: "papiers", Status: bot.CaseOpen, Lang: "fr",
			Summary: bot.CaseSummary{Topic: "Carte d'identité perdue", TreeID: "papiers-identite", LastWords: []string{"j'ai perdu ma carte"}},
			Consent: true, CreatedAt: t0.Add(time.Duration(i) * time.Minute), Urgent: []string{"violence"}})
		must("OpenCase", err)
		cases = append(cases, id)
		c := storetest.FullConversation(a, id)
		must("Commit", s.Commit(ctx, c, []bot.Turn{
			{Address: a, Text: "bonjour « é » 🧭", At: t0.Add(-time.Minute)},
			{Address: a, Text: "ma carte", At: t0, CaseID: id, Relayed: true},
		}, []bot.Reply{{To: a, Text: "Un médiateur va vous répondre.", Choices: []bot.Choice{{Label: "Oui"}}}}))
	}
	med := &bot.Mediator{Name: "Camille", Address: addr("discord", "mediators", "camille")}
	_, err := s.UpdateCase(ctx, cases[0], []bot.CaseStatus{bot.CaseOpen}, bot.CaseChange{Status: bot.CaseClaimed, Mediator: med, Note: "rappeler lundi", At: t0.Add(time.Minute)},
		[]bot.Reply{{To: med.Address, Text: "dossier pris", About: alice}})
	must("claim", err)
	_, err = s.UpdateCase(ctx, cases[0], nil, bot.CaseChange{Note: "pièce manquante", At: t0.Add(2 * time.Minute)}, nil)
	must("note", err)
	_, err = s.UpdateCase(ctx, cases[1], nil, bot.CaseChange{Status: bot.CaseClosed, Outcome: "resolved", Satisfaction: 4, At: t0.Add(3 * time.Minute)}, nil)
	must("close", err)
	// Carol's outgoing messages, some sent, then her data erased: the
	// outbox's highest ids are gone, and must never be given again.
	must("Commit carol", s.Commit(ctx, bot.Conversation{Address: carol, State: bot.StateIdle, Lang: "fr", CreatedAt: t0, UpdatedAt: t0}, []bot.Turn{{Address: carol, Text: "x", At: t0}},
		[]bot.Reply{{To: carol, Text: "1"}, {To: carol, Text: "2"}}))
	pending, err := s.PendingOutgoing(ctx, 100)
	must("PendingOutgoing", err)
	if len(pending) < 3 {
		t.Fatalf("%d pending messages", len(pending))
	}
	must("MarkSent", s.MarkSent(ctx, pending[0].ID, t0))
	must("MarkFailed", s.MarkFailed(ctx, pending[1].ID, t0.Add(time.Minute), "timeout"))
	_, err = s.ForgetUser(ctx, "discord", "carol")
	must("ForgetUser", err)

	must("MarkHandled", s.MarkHandled(ctx, "discord", "m1"))
	_, err = s.ClaimHandled(ctx, "mattermost", "post-1")
	must("ClaimHandled", err)
	must("SetAdapterState", s.SetAdapterState(ctx, "discord.resume", `{"seq":42}`))
	_, _, err = s.PublishTreeAs(ctx, sampleTree(), store.Publication{Author: "camille", Message: "première version", Source: store.SourceWeb})
	must("PublishTreeAs", err)
	hand := &knowledge.Item{ID: "aide-caf", Kind: knowledge.KindProcedure, Title: "Aide de la CAF", Summary: "s", Lang: "fr", Jurisdiction: "FR",
		Sources: []string{"https://www.caf.fr/"}}
	_, _, err = s.PublishItemAs(ctx, hand, store.Publication{Author: "camille"})
	must("PublishItemAs", err)
	sheets := []*knowledge.Item{
		{ID: "F1", Kind: knowledge.KindProcedure, Title: "Carte d'identité", Summary: "s", Origin: "service-public", Lang: "fr", Jurisdiction: "FR",
			Sources: []string{"https://www.service-public.fr/particuliers/vosdroits/F1"}},
		{ID: "F2", Kind: knowledge.KindProcedure, Title: "Passeport", Summary: "s", Origin: "service-public", Lang: "fr", Jurisdiction: "FR",
			Sources: []string{"https://www.service-public.fr/particuliers/vosdroits/F2"}},
	}
	_, err = s.ImportCatalogues(ctx, "service-public", sheets, []store.Catalogue{{Name: "particuliers", Read: []string{"F1", "F2"}}}, store.ImportOptions{MaxRetire: 1})
	must("ImportCatalogues", err)
	_, err = s.ImportPlaces(ctx, "dora", []*knowledge.Place{
		{ID: "p1", Source: "dora", Name: "France Services Gap", Commune: "Gap", PostalCode: "05000", Jurisdiction: "FR", Lat: 44.56, Lon: 6.08,
			Services: []string{knowledge.ServiceDemarches}, Labels: []string{knowledge.LabelFranceServices}},
	}, store.PlaceImportOptions{MaxRetire: 1})
	must("ImportPlaces", err)
	must("SaveEmbeddings", s.SaveEmbeddings(ctx, "nomic", []store.Embedding{{ItemID: "F1", ContentHash: "h1", Vector: []float32{0.25, -1.5, 3}}}))
	acc, err := s.CreateAccount(ctx, store.Account{Login: "Camille", Name: "Camille M.", Role: "admin", PasswordHash: "$argon2id$x", CreatedAt: t0, UpdatedAt: t0})
	must("CreateAccount", err)
	must("CreateSession", s.CreateSession(ctx, store.AuthSession{TokenHash: "abc", AccountID: acc.ID, CSRF: "csrf", CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(time.Hour)}))
	must("Audit", s.Audit(ctx, store.AuditEntry{At: t0, Actor: "cli", Action: "account.create", Object: "Camille", Reason: "premier compte"}))
	must("SaveDraft", s.SaveDraft(ctx, store.Draft{Kind: "tree", ObjectID: "papiers-identite", Author: "camille", Body: `{"id":"papiers-identite"}`, BaseVersion: 1, UpdatedAt: t0}))
	must("SaveTreeTest", s.SaveTreeTest(ctx, store.TreeTest{TreeID: "papiers-identite", Name: "cni", Body: "- vous: cni\n", Author: "camille", UpdatedAt: t0}))
	must("RecordUsage", s.RecordUsage(ctx, []bot.UsageEvent{
		{At: t0, Kind: bot.UsageNotUnderstood, Address: alice, Lang: "fr", Jurisdiction: "FR", Text: "xqzw", Score: 0.125},
		{At: t0, Kind: bot.UsageNode, Address: bob, TreeID: "papiers-identite", Node: "quel-document"},
	}))
	must("Count", s.Count(ctx, []bot.Tally{
		{Kind: bot.TallyClaimed, At: t0, Platform: "discord", Jurisdiction: "FR", Lang: "fr", Queue: "papiers", Seconds: 90.5},
		{Kind: bot.TallyRating, At: t0, Platform: "discord", Jurisdiction: "FR", Queue: "papiers", Value: 5},
	}))
	ok, err := s.TryLease(ctx, "retention", "replica-1", t0.Add(time.Hour))
	must("TryLease", err)
	if !ok {
		t.Fatal("TryLease: not taken")
	}
	return cases
}

// readBack is what the store's methods return after fill, by method.
func readBack(t *testing.T, s *store.Store, cases []int64) map[string]any {
	t.Helper()
	ctx := t.Context()
	out := map[string]any{}
	get := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = v
	}
	for _, a := range []bot.Address{alice, bob, carol} {
		c, err := s.Conversation(ctx, a)
		if a == carol && errors.Is(err, bot.ErrNoConversation) {
			err = nil // erased
		}
		get("Conversation "+a.User, c, err)
		ts, err := s.RecentTurns(ctx, a, 10)
		get("RecentTurns "+a.User, ts, err)
	}
	for _, id := range cases {
		c, err := s.Case(ctx, id)
		get(fmt.Sprint("Case ", id), c, err)
		ns, err := s.CaseNotes(ctx, id)
		get(fmt.Sprint("CaseNotes ", id), ns, err)
		ms, err := s.CaseMessages(ctx, id, 10)
		get(fmt.Sprint("CaseMessages ", id), ms, err)
	}
	cs, err := s.Cases(ctx, "", bot.CaseOpen, bot.CaseClaimed, bot.CaseClosed)
	get("Cases", cs, err)
	po, err := s.PendingOutgoing(ctx, 100)
	get("PendingOutgoing", po, err)
	for _, k := range [][2]string{{"discord", "m1"}, {"mattermost", "post-1"}, {"discord", "m2"}} {
		h, err := s.Handled(ctx, k[0], k[1])
		get("Handled "+k[1], h, err)
	}
	v, ok, err := s.AdapterState(ctx, "discord.resume")
	get("AdapterState", [2]any{v, ok}, err)
	tree, err := s.TreeVersion(ctx, "papiers-identite", 1)
	get("TreeVersion", tree, err)
	th, err := s.TreeHistory(ctx, "papiers-identite")
	get("TreeHistory", th, err)
	it, info, err := s.ItemVersion(ctx, "aide-caf", 1)
	get("ItemVersion", [2]any{it, info}, err)
	items, err := s.Items(ctx)
	get("Items", items, err)
	places, err := s.Places(ctx)
	get("Places", places, err)
	es, err := s.Embeddings(ctx, "nomic")
	get("Embeddings", es, err)
	acc, err := s.AccountByLogin(ctx, "camille")
	get("AccountByLogin", acc, err)
	se, sacc, err := s.LiveSession(ctx, "abc", t0)
	get("LiveSession", [2]any{se, sacc}, err)
	al, err := s.AuditLog(ctx, 0, 10)
	get("AuditLog", al, err)
	ds, err := s.Drafts(ctx, "tree", "papiers-identite")
	get("Drafts", ds, err)
	tt, err := s.TreeTests(ctx, "papiers-identite")
	get("TreeTests", tt, err)
	uq, err := s.UsageQuestions(ctx, t0.Add(-time.Hour), 10)
	get("UsageQuestions", uq, err)
	ns, err := s.NodeStats(ctx, t0.Add(-time.Hour))
	get("NodeStats", ns, err)
	rc, err := s.ReportCounters(ctx, t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0))
	get("ReportCounters", rc, err)
	kr, err := s.KnowledgeRevision(ctx)
	get("KnowledgeRevision", kr, err)
	// The lease is held: another replica cannot take it.
	other, err := s.TryLease(ctx, "retention", "replica-2", t0.Add(time.Hour))
	get("TryLease by another", other, err)
	return out
}

func TestCopyDatabase(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "b.db")
	// Closed and opened again: handled marks waiting in memory are written.
	filled := openAt(t, path, store.Options{})
	cases := fill(t, filled)
	if err := filled.Close(); err != nil {
		t.Fatal(err)
	}
	lite := openAt(t, path, store.Options{})
	// Every table has rows, so a table the copy left out shows.
	var tables []string
	rows, err := rawDB(t, path).Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	for _, n := range tables {
		if count(t, rawDB(t, path), n) == 0 {
			t.Errorf("the test leaves SQLite table %s empty: fill it", n)
		}
	}
	want := readBack(t, lite, cases)

	target := openPG(t, dsn)
	var seen []string
	stats, err := store.CopyDatabase(ctx, lite, target, func(table string, n int64) { seen = append(seen, table) })
	if err != nil {
		t.Fatalf("CopyDatabase: %v", err)
	}
	if len(stats.Tables) != len(tables) || len(seen) != len(tables) {
		t.Errorf("copied %d tables (progress %d), SQLite has %d: %v", len(stats.Tables), len(seen), len(tables), seen)
	}
	var total int64
	pos := map[string]int{}
	for i, tc := range stats.Tables {
		pos[tc.Table] = i
		total += tc.Rows
		if tc.Rows == 0 || tc.Rows != tc.Source || tc.Rows != tc.Target {
			t.Errorf("%+v", tc)
		}
		if n := int64(count(t, rawDB(t, path), tc.Table)); n != tc.Source {
			t.Errorf("%s: %d rows in SQLite, stats say %d", tc.Table, n, tc.Source)
		}
	}
	if total != stats.Rows {
		t.Errorf("total %d, tables sum to %d", stats.Rows, total)
	}
	for child, parent := range map[string]string{"turns": "conversations", "conversations": "cases", "case_notes": "cases", "sessions": "accounts"} {
		if pos[child] < pos[parent] {
			t.Errorf("%s copied before %s", child, parent)
		}
	}
	if err := target.Close(); err != nil {
		t.Fatal(err)
	}

	pg := openPG(t, dsn)
	got := readBack(t, pg, cases)
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s differs after the copy:\n got %#v\nwant %#v", k, got[k], w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s read only from PostgreSQL", k)
		}
	}

	// New rows continue the ids: a new case above the copied ones, a new
	// outgoing message above carol's, erased but handed to a platform.
	maxCase := max(cases[0], cases[1])
	id, err := pg.OpenCase(ctx, bot.Case{Address: carol, Status: bot.CaseOpen, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if id <= maxCase {
		t.Errorf("new case %d, copied ones up to %d", id, maxCase)
	}
	var seq int64
	if err := rawDB(t, path).QueryRow(`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	var maxOut int64
	if err := rawDB(t, path).QueryRow(`SELECT MAX(id) FROM outbox`).Scan(&maxOut); err != nil {
		t.Fatal(err)
	}
	if seq <= maxOut {
		t.Fatalf("the test wants outbox ids given and erased: sequence %d, max id %d", seq, maxOut)
	}
	if err := pg.Enqueue(ctx, []bot.Reply{{To: alice, Text: "nouveau"}}); err != nil {
		t.Fatal(err)
	}
	po, err := pg.PendingOutgoing(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if last := po[len(po)-1]; last.Reply.Text != "nouveau" || last.ID <= seq {
		t.Errorf("new outgoing message %d %q, SQLite gave ids up to %d", last.ID, last.Reply.Text, seq)
	}
	for _, tc := range stats.Tables {
		if tc.Table == "outbox" && tc.NextID != seq+1 {
			t.Errorf("outbox next id %d, want %d", tc.NextID, seq+1)
		}
	}
}

func TestCopyDatabaseRefusesNonEmptyTarget(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := t.Context()
	lite, _ := openTemp(t)
	fill(t, lite)
	target := openPG(t, dsn)
	if err := target.Commit(ctx, bot.Conversation{Address: addr("discord", "c", "dora"), State: bot.StateIdle, Lang: "fr", CreatedAt: t0, UpdatedAt: t0}, nil, nil); err != nil {
		t.Fatal(err)
	}
	before := pgRows(t, rawPG(t, dsn))
	_, err := store.CopyDatabase(ctx, lite, target, nil)
	if !errors.Is(err, store.ErrTargetNotEmpty) || !strings.Contains(err.Error(), "1 conversations") || !strings.Contains(err.Error(), "migrate into a new database") {
		t.Fatalf("CopyDatabase into a used database: %v", err)
	}
	if after := pgRows(t, rawPG(t, dsn)); !reflect.DeepEqual(after, before) {
		t.Errorf("the target changed:\n%v\n%v", before, after)
	}
	// A moved knowledge revision alone is data too.
	dsn2 := pgtest.DSN(t)
	target2 := openPG(t, dsn2)
	if _, err := rawPG(t, dsn2).Exec(`UPDATE knowledge_revision SET rev = 3`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CopyDatabase(ctx, lite, target2, nil); !errors.Is(err, store.ErrTargetNotEmpty) {
		t.Errorf("a target whose knowledge revision moved: %v", err)
	}
}

// A copy that fails half-way leaves the target as it was.
func TestCopyDatabaseFailureChangesNothing(t *testing.T) {
	lite, _ := openTemp(t)
	fill(t, lite)
	for _, tc := range []struct {
		name string
		// breakIt prepares the target, or cancels the copy after a table.
		breakIt func(db *sql.DB) error
		cancel  string
		want    string
	}{
		{name: "a row PostgreSQL refuses, after other tables",
			breakIt: func(db *sql.DB) error {
				_, err := db.Exec(`ALTER TABLE usage_events ADD CONSTRAINT no_score CHECK (score = 0)`)
				return err
			},
			want: "copy usage_events"},
		{name: "cancelled after the cases", cancel: "cases", want: "context canceled"},
		{name: "a column missing in PostgreSQL",
			breakIt: func(db *sql.DB) error {
				_, err := db.Exec(`ALTER TABLE places DROP COLUMN hash`)
				return err
			},
			want: "table places: column hash is in the SQLite database but not in PostgreSQL"},
		{name: "a column missing in SQLite",
			breakIt: func(db *sql.DB) error {
				_, err := db.Exec(`ALTER TABLE accounts ADD COLUMN email TEXT`)
				return err
			},
			want: "table accounts: column email is in PostgreSQL but not in the SQLite database"},
		{name: "a table missing in SQLite",
			breakIt: func(db *sql.DB) error {
				_, err := db.Exec(`CREATE TABLE shards (id INTEGER)`)
				return err
			},
			want: "table shards is in PostgreSQL but not in the SQLite database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := pgtest.DSN(t)
			target := openPG(t, dsn)
			raw := rawPG(t, dsn)
			if tc.breakIt != nil {
				if err := tc.breakIt(raw); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var copied []string
			_, err := store.CopyDatabase(ctx, lite, target, func(table string, _ int64) {
				copied = append(copied, table)
				if table == tc.cancel {
					cancel()
				}
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("CopyDatabase: %v, want an error with %q", err, tc.want)
			}
			if tc.cancel != "" && len(copied) == 0 {
				t.Fatal("nothing was copied before the cancellation")
			}
			assertEmptyPG(t, raw)
			// The target's store still works.
			if err := target.Ping(t.Context()); err != nil {
				t.Errorf("Ping after a failed copy: %v", err)
			}
		})
	}
}

func TestCopyDatabaseRefusesOldSchemaAndWrongDirection(t *testing.T) {
	dsn := pgtest.DSN(t)
	ctx := t.Context()
	lite, path := openTemp(t)
	other, _ := openTemp(t)
	target := openPG(t, dsn)
	if _, err := store.CopyDatabase(ctx, target, target, nil); err == nil || !strings.Contains(err.Error(), "copy from a SQLite database") {
		t.Errorf("from PostgreSQL: %v", err)
	}
	if _, err := store.CopyDatabase(ctx, lite, other, nil); err == nil || !strings.Contains(err.Error(), "copy into a PostgreSQL database") {
		t.Errorf("into SQLite: %v", err)
	}
	// A schema older than the program's (a file written by an older
	// version, not opened since).
	if _, err := rawDB(t, path).Exec(fmt.Sprintf("PRAGMA user_version = %d", store.SchemaVersion()-1)); err != nil {
		t.Fatal(err)
	}
	_, err := store.CopyDatabase(ctx, lite, target, nil)
	if err == nil || !strings.Contains(err.Error(), "open it once with this version of Boussole") {
		t.Errorf("an older schema: %v", err)
	}
	assertEmptyPG(t, rawPG(t, dsn))
}
