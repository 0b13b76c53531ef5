package lamednum

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/places/importer"
)

// Attribution is the credit the national map's data asks for (Licence
// Ouverte 2.0): print it wherever imported places are shown or exported.
const Attribution = "Lieux de médiation numérique : cartographie nationale des lieux d'inclusion numérique (ANCT, La MedNum), Licence Ouverte 2.0 (Etalab)"

// Options are the choices of a Read.
type Options struct {
	// Locate places a place without coordinates at its commune; nil
	// leaves it without.
	Locate importer.Locator
	// Vocabulary maps labels to codes; nil builds one (share one across
	// files to build it once).
	Vocabulary *Vocabulary
}

// checkEvery is how many rows are read between two looks at the context.
const checkEvery = 1024

// Read reads a LaMednum export, JSON (an array of records, or an API page
// holding one) or CSV (any column order, separator « , », « ; » or tab),
// telling which from the content. Malformed rows are reported in the
// result and skipped; an error means the file cannot be read on (not
// LaMednum, not JSON nor CSV, cut short), and names the line.
func Read(ctx context.Context, r io.Reader, opts Options) (*importer.Result, error) {
	if opts.Vocabulary == nil {
		opts.Vocabulary = NewVocabulary()
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if err := importer.SkipBOM(br); err != nil {
		return nil, err
	}
	head, err := br.Peek(4 << 10)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if importer.IsJSON(head) {
		return readJSON(ctx, br, opts)
	}
	return readCSV(ctx, br, head, opts)
}

func readJSON(ctx context.Context, r io.Reader, opts Options) (*importer.Result, error) {
	res := importer.NewResult(importer.FormatLaMednumJSON)
	c := newCoder(opts.Vocabulary)
	arr := importer.NewJSONArray(r, importer.WrapKeys()...)
	var rw row
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rw = row{} // Decode leaves absent fields as they were
		line, err := arr.Next(&rw)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		var re *importer.RowError
		if errors.As(err, &re) {
			res.Rows++
			res.Skip(line, "", re.Error())
			continue
		}
		if err != nil {
			return nil, err
		}
		res.Rows++
		rw.add(res, line, c, opts)
	}
}

func readCSV(ctx context.Context, r io.Reader, head []byte, opts Options) (*importer.Result, error) {
	res := importer.NewResult(importer.FormatLaMednumCSV)
	c := newCoder(opts.Vocabulary)
	cr := csv.NewReader(r)
	cr.Comma = separator(head)
	cr.FieldsPerRecord = -1 // a short or long row is reported, not fatal
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file")
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: unreadable header: %w", err)
	}
	names := make([]string, len(header))
	var rw row
	has := map[string]bool{}
	for i, h := range header {
		names[i] = column(h)
		has[names[i]] = rw.field(names[i]) != nil
	}
	if !has["id"] || !has["nom"] {
		return nil, fmt.Errorf("line 1: not a LaMednum CSV: it needs an « id » and a « nom » column (columns: %s)", clip(strings.Join(header, ", ")))
	}
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader goes on at the next line; a quote left open
			// swallows the lines up to the next quote, so say which.
			res.Rows++
			reason := "unreadable CSV row: " + pe.Err.Error()
			if pe.Line > pe.StartLine {
				reason += fmt.Sprintf(" (lines %d to %d)", pe.StartLine, pe.Line)
			}
			res.Skip(pe.StartLine, "", reason)
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		res.Rows++
		rw = row{}
		for i := range min(len(rec), len(names)) {
			if f := rw.field(names[i]); f != nil {
				*f = importer.Text(rec[i])
			}
		}
		if len(rec) != len(names) {
			res.Skip(line, rw.ID.String(), fmt.Sprintf("%d fields where the header has %d", len(rec), len(names)))
			continue
		}
		rw.add(res, line, c, opts)
	}
}

// column is a CSV column name as the JSON key of the same field.
func column(h string) string {
	h = strings.ToLower(importer.Clean(strings.TrimPrefix(h, "\ufeff")))
	return strings.NewReplacer(" ", "_", "-", "_").Replace(h)
}

// separator guesses a CSV file's separator from its first line: the
// standard says « , », spreadsheets in French write « ; », some tabs.
func separator(head []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(head) {
		if c == '"' {
			quoted = !quoted
		}
		if c == '\n' && !quoted {
			break
		}
		if !quoted && (c == ',' || c == ';' || c == '\t') {
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

func clip(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return s
}

// row is a record of any version of the standard, JSON or CSV: the
// fields Boussole uses, by their names in the standard.
type row struct {
	ID               importer.Text `json:"id"`
	Nom              importer.Text `json:"nom"`
	Services         importer.Text `json:"services"`
	Commune          importer.Text `json:"commune"`
	CodePostal       importer.Text `json:"code_postal"`
	CodeINSEE        importer.Text `json:"code_insee"`
	Adresse          importer.Text `json:"adresse"`
	Complement       importer.Text `json:"complement_adresse"`
	Latitude         importer.Text `json:"latitude"`
	Longitude        importer.Text `json:"longitude"`
	Horaires         importer.Text `json:"horaires"`
	Telephone        importer.Text `json:"telephone"`
	Courriel         importer.Text `json:"courriel"`
	Courriels        importer.Text `json:"courriels"`
	SiteWeb          importer.Text `json:"site_web"`
	PriseRDV         importer.Text `json:"prise_rdv"`
	LabelsNationaux  importer.Text `json:"labels_nationaux"`
	Dispositifs      importer.Text `json:"dispositif_programmes_nationaux"`
	FormationsLabels importer.Text `json:"formations_labels"`
	Typologie        importer.Text `json:"typologie"`
	ConditionsAcces  importer.Text `json:"conditions_acces"`
	Frais            importer.Text `json:"frais_a_charge"`
	Source           importer.Text `json:"source"`
	DateMaj          importer.Text `json:"date_maj"`
}

// field returns the field of a CSV column, nil for a column Boussole does
// not use.
func (r *row) field(name string) *importer.Text {
	switch name {
	case "id":
		return &r.ID
	case "nom":
		return &r.Nom
	case "services":
		return &r.Services
	case "commune":
		return &r.Commune
	case "code_postal":
		return &r.CodePostal
	case "code_insee":
		return &r.CodeINSEE
	case "adresse":
		return &r.Adresse
	case "complement_adresse":
		return &r.Complement
	case "latitude":
		return &r.Latitude
	case "longitude":
		return &r.Longitude
	case "horaires":
		return &r.Horaires
	case "telephone":
		return &r.Telephone
	case "courriel":
		return &r.Courriel
	case "courriels":
		return &r.Courriels
	case "site_web":
		return &r.SiteWeb
	case "prise_rdv":
		return &r.PriseRDV
	case "labels_nationaux":
		return &r.LabelsNationaux
	case "dispositif_programmes_nationaux":
		return &r.Dispositifs
	case "formations_labels":
		return &r.FormationsLabels
	case "typologie":
		return &r.Typologie
	case "conditions_acces":
		return &r.ConditionsAcces
	case "frais_a_charge":
		return &r.Frais
	case "source":
		return &r.Source
	case "date_maj":
		return &r.DateMaj
	}
	return nil
}

// add maps the row to a place and adds it to res, or reports it as
// malformed.
func (r *row) add(res *importer.Result, line int, c *coder, opts Options) {
	id, name := r.ID.String(), r.Nom.String()
	if id == "" {
		res.Skip(line, "", "no id")
		return
	}
	if name == "" {
		res.Skip(line, id, "no name (nom)")
		return
	}
	lat, lon, _, reason := importer.Coords(r.Latitude.String(), r.Longitude.String())
	if reason != "" {
		res.Skip(line, id, reason)
		return
	}
	p := &knowledge.Place{
		ID:           id,
		Source:       r.Source.String(),
		Name:         name,
		Address:      importer.Join([]string{r.Adresse.String(), r.Complement.String()}),
		PostalCode:   r.CodePostal.String(),
		Commune:      r.Commune.String(),
		INSEE:        r.CodeINSEE.String(),
		Jurisdiction: "FR",
		Lat:          lat,
		Lon:          lon,
		Hours:        r.Horaires.String(),
		Phone:        importer.First(r.Telephone.String()),
		Email:        importer.First(r.Courriels.String()),
		Website:      importer.First(r.SiteWeb.String()),
		Booking:      importer.First(r.PriseRDV.String()),
		Cost:         cost(r.ConditionsAcces.String(), r.Frais.String()),
		Updated:      importer.Date(r.DateMaj.String()),
	}
	if p.Email == "" {
		p.Email = importer.First(r.Courriel.String())
	}
	var services uint32
	for _, l := range importer.List(r.Services.String()) {
		bits := c.service(l)
		if bits == 0 {
			res.Unknowns([]string{l})
		}
		services |= bits
	}
	p.Services = codes(services, knowledge.Services)
	labels := c.label(p.Source)
	for _, f := range []importer.Text{r.LabelsNationaux, r.Dispositifs, r.FormationsLabels, r.Typologie} {
		for _, l := range importer.List(f.String()) {
			labels |= c.label(l)
		}
	}
	p.Labels = codes(labels, knowledge.Labels)
	res.Add(line, p, opts.Locate)
}

// cost is what it costs, short: the values of conditions_acces (first
// version: « Gratuit : Je peux accéder gratuitement au lieu… ») or
// frais_a_charge (« Gratuit sous condition|Payant »), each up to its
// « : ».
func cost(fields ...string) string {
	var out []string
	for _, f := range fields {
		for _, v := range importer.List(f) {
			before, _, _ := strings.Cut(v, ":")
			out = append(out, strings.TrimSpace(before))
		}
	}
	return importer.Join(out)
}
