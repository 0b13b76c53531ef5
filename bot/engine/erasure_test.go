package engine_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // to read the database file as it is

	"github.com/boussole/boussole/bot"
)

// Erasure is complete: identifiable strings written by the citizen and by
// the mediator through a whole mediation (the case, relays both ways, a
// note, the summary) are found in no table and in no byte of the database
// and WAL files once the citizen says « oublie-moi »; the mediator who
// held the case is told, by case number only.
func TestForgetMeLeavesNothing(t *testing.T) {
	d := newDesk(t, nil)
	ctx := context.Background()
	secrets := []string{"Zorglub", "0612345678", "zorglub.martinez@example.org", "185057800608436", "Lilas"}
	zorglub := bot.Incoming{Address: citizen, Name: "Zorglub Martinez"}
	say := func(in bot.Incoming, text string) {
		t.Helper()
		in.Text = text
		d.send(in)
	}
	say(zorglub, "bonjour je suis Zorglub Martinez, mon numéro 0612345678, carte d'identité perdue")
	rs := d.say(citizen, "humain")
	d.click(citizen, payloadFor(t, rs, citizen, "Oui, partager"))
	d.click(marie, "m:claim:1")
	say(zorglub, "mon courriel zorglub.martinez@example.org et ma sécu 185057800608436")
	d.say(marie, "Bonjour Zorglub Martinez, je note le 0612345678")
	d.say(marie, "!note 1 habite 3 rue des Lilas, rappeler au 0612345678")
	say(zorglub, "merci, j'habite 3 rue des Lilas")
	// Words that look like a command are offered back to the mediator
	// as buttons (kept in their conversation) until they choose.
	d.say(marie, "note 1 Zorglub rappeler au 0612345678")
	// Something still queued for the mediator when the person leaves.
	if _, err := d.eng.Respond(ctx, bot.Incoming{Address: citizen, Text: "Zorglub encore là"}); err != nil {
		t.Fatal(err)
	}
	if found := d.scan(secrets); len(found) == 0 {
		t.Fatal("the scan finds nothing before the erasure: it cannot show anything after")
	}

	rs = d.say(citizen, "oublie-moi")
	if got := textTo(rs, marie); !strings.Contains(got, "La demande n° 1 a été effacée à la demande de la personne") {
		t.Fatalf("the mediator was not told: %q", got)
	}
	for _, s := range secrets {
		if strings.Contains(textTo(rs, marie), s) {
			t.Fatalf("the notice to the mediator repeats %q", s)
		}
	}
	if found := d.scan(secrets); len(found) > 0 {
		t.Fatalf("after « oublie-moi », still found: %v", found)
	}
	// Nor is the conversation kept, with the topic it was about.
	if c, err := d.st.Conversation(ctx, citizen); !errors.Is(err, bot.ErrNoConversation) {
		t.Fatalf("after « oublie-moi », the conversation is kept (topic %+v, err %v)", c.Topic, err)
	}
}

// scan returns where each secret still appears: in a row of any table,
// read through SQL, or in the bytes of the database and WAL files.
func (d *desk) scan(secrets []string) []string {
	d.t.Helper()
	ctx := context.Background()
	var found []string
	db, err := sql.Open("sqlite", "file:"+d.path+"?mode=ro")
	if err != nil {
		d.t.Fatal(err)
	}
	defer db.Close()
	tables, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		d.t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			d.t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	for _, n := range names {
		rows, err := db.QueryContext(ctx, `SELECT * FROM "`+n+`"`)
		if err != nil {
			d.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				d.t.Fatal(err)
			}
			for _, v := range vals {
				var s string
				switch v := v.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				}
				for _, sec := range secrets {
					if strings.Contains(s, sec) {
						found = append(found, n+": "+sec)
					}
				}
			}
		}
		rows.Close()
	}
	db.Close()
	for _, f := range []string{d.path, d.path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			d.t.Fatal(err)
		}
		for _, sec := range secrets {
			if bytes.Contains(b, []byte(sec)) {
				found = append(found, f[strings.LastIndex(f, "/")+1:]+" bytes: "+sec)
			}
		}
	}
	return found
}

// « oublie-moi » erases the topic under discussion with the conversation:
// no row keeps it, and a follow-up afterwards is a stranger's message.
func TestForgetMeForgetsTheTopic(t *testing.T) {
	h := demoHarness(t, "")
	h.say(alice, "rsa c koi")
	topics := func() []string {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+h.path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.QueryContext(context.Background(), `SELECT topic_json FROM conversations WHERE user_id = ?`, alice.User)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	if got := topics(); len(got) != 1 || !strings.Contains(got[0], `"rsa"`) {
		t.Fatalf("stored topics %q, want the RSA's: the test would prove nothing", got)
	}
	h.say(alice, "oublie-moi")
	if got := topics(); len(got) != 0 {
		t.Fatalf("after « oublie-moi », stored topics %q", got)
	}
	rs := h.say(alice, "c'est où ?")
	if got := text(rs); strings.Contains(got, "RSA") || strings.Contains(got, "CAF") {
		t.Errorf("a follow-up after « oublie-moi » is still about the RSA:\n%s", got)
	}
}
