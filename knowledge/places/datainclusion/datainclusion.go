// Package datainclusion reads the exports of data·inclusion (GIP de la
// plateforme de l'inclusion, Licence Ouverte 2.0): its structures JSON
// and its services JSON, schema v1 (and the fields v0 had), into
// knowledge.Place values. The places are the structures; a services file
// says what they offer (each service names its structure_id), and its
// thématiques become the structures' service codes.
//
// # Mapping
//
//   - ID: id, which v1 builds from the producer and the producer's id
//     (« dora--AidantsConnect:2024-47BXY »); a bare v0 id is given the
//     same « source-- » prefix, and so is a service's structure_id, so
//     that both name the structure the same way. Source: source. Name:
//     nom. Address: adresse, then complement_adresse. PostalCode,
//     Commune, INSEE, Lat, Lon: as named (coordinates checked as
//     lamednum does). Jurisdiction: FR. Hours: horaires_accueil (v0:
//     horaires_ouverture). Phone, Email, Website: telephone, courriel,
//     site_web (the first when several). Updated: date_maj. A structure
//     says nothing of cost (its services' frais differ from one to the
//     next), so Cost stays empty.
//   - Labels: reseaux_porteurs (v1), typologie and labels_nationaux (v0),
//     through lamednum's vocabulary: france-service, msap, RFS →
//     france-services; conseillers-numeriques → conseiller-numerique;
//     aidants-connect → aidants-connect; espaces-publics-numeriques, EPN
//     → epn; fabrique-de-territoire, TIERS_LIEUX → tiers-lieu.
//   - Services: the thématiques of the structure's services (and of the
//     structure itself in v0), by Thematique:
//     numerique--acceder-a-des-services-en-ligne → demarches;
//     numerique--acceder-a-une-connexion-internet → acces;
//     numerique--acquerir-un-equipement → equipement;
//     numerique--maitriser-les-fondamentaux-du-numerique and the bare
//     « numerique » → quotidien; the v0 numerique--* slugs are the
//     LaMednum labels' words and map as those do; accompaniment to
//     administrative procedures and to rights (difficultes-
//     administratives-ou-juridiques--…, acces-aux-droits-et-citoyennete
//     --…, a MDPH file) → demarches; sante--acces-aux-soins → sante;
//     parenting support → parentalite; creer-une-entreprise--* and
//     creation-activite → entreprise; choisir-un-metier--*,
//     preparer-sa-candidature--*, trouver-un-emploi--* and se-former--*
//     → emploi (the code is « finding work », the data·inclusion themes
//     are the employment offer itself). Every other theme of a known
//     family (housing, mobility, food, health care, budget…) is outside
//     what Boussole's places answer for: ignored. A theme of no known
//     family is counted in Result.Unknown.
package datainclusion

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/places/importer"
	"github.com/boussole/boussole/knowledge/places/lamednum"
)

// Attribution is the credit data·inclusion's licence asks for.
const Attribution = "Structures et services : data·inclusion (GIP de la plateforme de l'inclusion), Licence Ouverte 2.0 (Etalab)"

// Options are the choices of a read.
type Options struct {
	// Locate places a structure without coordinates at its commune; nil
	// leaves it without.
	Locate importer.Locator
	// Vocabulary maps labels to codes; nil builds one.
	Vocabulary *lamednum.Vocabulary
}

// checkEvery is how many rows are read between two looks at the context.
const checkEvery = 1024

// structure is a data·inclusion structure, v1 with the v0 fields that
// matter.
type structure struct {
	ID                importer.Text `json:"id"`
	Source            importer.Text `json:"source"`
	Nom               importer.Text `json:"nom"`
	Adresse           importer.Text `json:"adresse"`
	Complement        importer.Text `json:"complement_adresse"`
	CodePostal        importer.Text `json:"code_postal"`
	CodeINSEE         importer.Text `json:"code_insee"`
	Commune           importer.Text `json:"commune"`
	Latitude          importer.Text `json:"latitude"`
	Longitude         importer.Text `json:"longitude"`
	Telephone         importer.Text `json:"telephone"`
	Courriel          importer.Text `json:"courriel"`
	SiteWeb           importer.Text `json:"site_web"`
	HorairesAccueil   importer.Text `json:"horaires_accueil"`
	HorairesOuverture importer.Text `json:"horaires_ouverture"`
	DateMaj           importer.Text `json:"date_maj"`
	ReseauxPorteurs   importer.Text `json:"reseaux_porteurs"`
	Typologie         importer.Text `json:"typologie"`
	LabelsNationaux   importer.Text `json:"labels_nationaux"`
	Thematiques       importer.Text `json:"thematiques"`
}

// service is a data·inclusion service: what it needs to say what its
// structure offers.
type service struct {
	ID          importer.Text `json:"id"`
	StructureID importer.Text `json:"structure_id"`
	Source      importer.Text `json:"source"`
	Thematiques importer.Text `json:"thematiques"`
}

// PlaceID is the place id of a structure: its id, prefixed with its
// source and « -- » unless it already is (v1 ids are; v0 ids were the
// producer's own, unique only within it).
func PlaceID(source, id string) string {
	if source == "" || strings.HasPrefix(id, source+"--") {
		return id
	}
	return source + "--" + id
}

// ReadStructures reads a structures export: a JSON array, or an API page
// holding one under « items ». Malformed rows are reported and skipped;
// an error means the file cannot be read on.
func ReadStructures(ctx context.Context, r io.Reader, opts Options) (*importer.Result, error) {
	if opts.Vocabulary == nil {
		opts.Vocabulary = lamednum.NewVocabulary()
	}
	res := importer.NewResult(importer.FormatStructures)
	err := each(ctx, r, res, func(s *structure, line int) {
		id, name := s.ID.String(), s.Nom.String()
		if id == "" {
			res.Skip(line, "", "no id")
			return
		}
		source := s.Source.String()
		id = PlaceID(source, id)
		if name == "" {
			res.Skip(line, id, "no name (nom)")
			return
		}
		lat, lon, _, reason := importer.Coords(s.Latitude.String(), s.Longitude.String())
		if reason != "" {
			res.Skip(line, id, reason)
			return
		}
		p := &knowledge.Place{
			ID:           id,
			Source:       source,
			Name:         name,
			Address:      importer.Join([]string{s.Adresse.String(), s.Complement.String()}),
			PostalCode:   s.CodePostal.String(),
			Commune:      s.Commune.String(),
			INSEE:        s.CodeINSEE.String(),
			Jurisdiction: "FR",
			Lat:          lat,
			Lon:          lon,
			Hours:        s.HorairesAccueil.String(),
			Phone:        importer.First(s.Telephone.String()),
			Email:        importer.First(s.Courriel.String()),
			Website:      importer.First(s.SiteWeb.String()),
			Updated:      importer.Date(s.DateMaj.String()),
		}
		if p.Hours == "" {
			p.Hours = s.HorairesOuverture.String()
		}
		labels := map[string]bool{}
		for _, f := range []importer.Text{s.ReseauxPorteurs, s.Typologie, s.LabelsNationaux} {
			for _, l := range importer.List(f.String()) {
				if c := opts.Vocabulary.Label(l); c != "" {
					labels[c] = true
				}
			}
		}
		p.Labels = importer.Codes(labels, knowledge.Labels)
		services := map[string]bool{}
		themes(opts.Vocabulary, res, s.Thematiques.String(), services)
		p.Services = importer.Codes(services, knowledge.Services)
		res.Add(line, p, opts.Locate)
	})
	return res, err
}

// Offer is what a services file says structures offer: service codes by
// structure place id.
type Offer struct {
	codes map[string]map[string]bool
}

// ReadServices reads a services export. The result counts its rows and
// reports malformed ones (no structure_id); it holds no place: the Offer
// is applied to the structures of another file.
func ReadServices(ctx context.Context, r io.Reader, opts Options) (*importer.Result, *Offer, error) {
	if opts.Vocabulary == nil {
		opts.Vocabulary = lamednum.NewVocabulary()
	}
	res := importer.NewResult(importer.FormatServices)
	offer := &Offer{codes: map[string]map[string]bool{}}
	err := each(ctx, r, res, func(s *service, line int) {
		sid := s.StructureID.String()
		if sid == "" {
			res.Skip(line, s.ID.String(), "no structure_id")
			return
		}
		sid = PlaceID(s.Source.String(), sid)
		set := offer.codes[sid]
		if set == nil {
			set = map[string]bool{}
			offer.codes[sid] = set
		}
		themes(opts.Vocabulary, res, s.Thematiques.String(), set)
	})
	if err != nil {
		return nil, nil, err
	}
	return res, offer, nil
}

// Apply adds to each place the services its structure offers, and
// returns how many structures of the offer are not among places (their
// file was not imported with this one).
func (o *Offer) Apply(places []*knowledge.Place) (missing int) {
	found := 0
	for _, p := range places {
		add := o.codes[p.ID]
		if add == nil {
			continue
		}
		found++
		set := map[string]bool{}
		for _, c := range p.Services {
			set[c] = true
		}
		for c := range add {
			set[c] = true
		}
		p.Services = importer.Codes(set, knowledge.Services)
	}
	return len(o.codes) - found
}

// Structures is the number of structures the offer names.
func (o *Offer) Structures() int { return len(o.codes) }

// each decodes the rows of a JSON export into a fresh T each and calls
// fn; a row that is not an object is skipped.
func each[T any](ctx context.Context, r io.Reader, res *importer.Result, fn func(*T, int)) error {
	arr, err := open(r)
	if err != nil {
		return err
	}
	for n := 0; ; n++ {
		if n%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var v T
		line, err := arr.Next(&v)
		if errors.Is(err, io.EOF) {
			return nil
		}
		var re *importer.RowError
		if errors.As(err, &re) {
			res.Rows++
			res.Skip(line, "", re.Error())
			continue
		}
		if err != nil {
			return err
		}
		res.Rows++
		fn(&v, line)
	}
}

// themes adds the service codes of a list of thématiques to set, and
// counts those of no known family.
func themes(v *lamednum.Vocabulary, res *importer.Result, list string, set map[string]bool) {
	var unknown []string
	for _, t := range importer.List(list) {
		codes, known := Thematique(v, t)
		if !known {
			unknown = append(unknown, t)
		}
		for _, c := range codes {
			set[c] = true
		}
	}
	res.Unknowns(unknown)
}

// Thematique returns the service codes of a data·inclusion thématique
// (see the package doc), and whether its family is known.
func Thematique(v *lamednum.Vocabulary, t string) (codes []string, known bool) {
	t = strings.ToLower(strings.TrimSpace(t))
	family, detail, _ := strings.Cut(t, "--")
	switch t {
	case "numerique--acceder-a-des-services-en-ligne",
		"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
		"difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
		"acces-aux-droits-et-citoyennete--accompagnement-dans-les-demarches-administratives",
		"sante--constituer-un-dossier-mdph-invalidite":
		return []string{knowledge.ServiceDemarches}, true
	case "numerique--acceder-a-une-connexion-internet":
		return []string{knowledge.ServiceAcces}, true
	case "numerique--acquerir-un-equipement":
		return []string{knowledge.ServiceEquipement}, true
	case "numerique", "numerique--maitriser-les-fondamentaux-du-numerique":
		return []string{knowledge.ServiceQuotidien}, true
	case "sante--acces-aux-soins":
		return []string{knowledge.ServiceSante}, true
	case "famille--soutien-a-la-parentalite-et-a-leducation", "famille--soutien-a-la-parentalite":
		return []string{knowledge.ServiceParentalite}, true
	}
	switch family {
	case "numerique":
		codes := v.Services(detail)
		return codes, codes != nil
	case "creer-une-entreprise", "creation-activite":
		return []string{knowledge.ServiceEntreprise}, true
	case "choisir-un-metier", "preparer-sa-candidature", "trouver-un-emploi", "se-former":
		return []string{knowledge.ServiceEmploi}, true
	case "difficultes-administratives-ou-juridiques", "difficultes-financieres", "equipement-et-alimentation", "famille",
		"lecture-ecriture-calcul", "logement-hebergement", "mobilite", "remobilisation", "sante", "souvrir-a-linternational",
		// v0 families
		"acces-aux-droits-et-citoyennete", "accompagnement-social-et-professionnel-personnalise", "apprendre-francais",
		"gestion-financiere", "handicap", "illettrisme":
		return nil, true
	}
	return nil, false
}

// open starts the JSON array of an export.
func open(r io.Reader) (*importer.JSONArray, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if err := importer.SkipBOM(br); err != nil {
		return nil, err
	}
	return importer.NewJSONArray(br, importer.WrapKeys()...), nil
}
