package lamednum

import (
	"slices"

	"github.com/boussole/boussole/knowledge"
	"github.com/boussole/boussole/knowledge/places/importer"
)

// serviceLabels maps every service label of every version of the
// standard to service codes. Keys are compared by importer.Key (no case,
// accents, spaces or punctuation), so a data·inclusion slug of the same
// words (numerique--prendre-en-main-un-ordinateur) matches too.
func serviceLabels() map[string][]string {
	m := map[string][]string{}
	add := func(codes []string, labels ...string) {
		for _, l := range labels {
			m[importer.Key(l)] = codes
		}
	}
	one := func(c string) []string { return []string{c} }
	// The first version (the 2023 regional exports of the national map).
	add(one(knowledge.ServiceDemarches),
		"Réaliser des démarches administratives avec un accompagnement",
		"Devenir autonome dans les démarches administratives")
	add(one(knowledge.ServiceSante), "Accompagner les démarches de santé")
	add(one(knowledge.ServiceQuotidien),
		"Prendre en main un smartphone ou une tablette",
		"Prendre en main un ordinateur",
		"Utiliser le numérique au quotidien")
	add(one(knowledge.ServiceCulture),
		"Approfondir ma culture numérique",
		"Promouvoir la citoyenneté numérique")
	add(one(knowledge.ServiceEmploi), "Favoriser mon insertion professionnelle")
	add(one(knowledge.ServiceAcces),
		"Accéder à du matériel",
		"Accéder à une connexion internet")
	add(one(knowledge.ServiceCreation), "Créer avec le numérique")
	add(one(knowledge.ServiceEntreprise), "Créer et développer mon entreprise")
	add(one(knowledge.ServiceParentalite), "Soutenir la parentalité et l'éducation avec le numérique")
	add(one(knowledge.ServiceEquipement), "S'équiper en matériel informatique")
	// The national Table Schema (v1.0.x).
	add(one(knowledge.ServiceDemarches), "Aide aux démarches administratives")
	add(one(knowledge.ServiceQuotidien), "Maîtrise des outils numériques du quotidien")
	add(one(knowledge.ServiceEmploi), "Insertion professionnelle via le numérique")
	add(one(knowledge.ServiceCulture),
		"Utilisation sécurisée du numérique",
		"Compréhension du monde numérique")
	add(one(knowledge.ServiceParentalite), "Parentalité et éducation avec le numérique")
	add(one(knowledge.ServiceCreation), "Loisirs et créations numériques")
	add(one(knowledge.ServiceAcces), "Accès internet et matériel informatique")
	add(one(knowledge.ServiceEquipement), "Acquisition de matériel informatique à prix solidaire")
	// Our own codes, for files that already use them.
	for _, c := range knowledge.Services {
		add(one(c), c)
	}
	return m
}

// labelValues maps the values that say a place belongs to a national
// network to label codes, by importer.Key: labels_nationaux (first
// version), dispositif_programmes_nationaux and formations_labels (the
// Table Schema), typologie (data·inclusion's structure types, which the
// schema reuses), the producer names of the national map's « source »,
// and data·inclusion's reseaux_porteurs.
func labelValues() map[string]string {
	m := map[string]string{}
	add := func(code string, values ...string) {
		for _, v := range values {
			m[importer.Key(v)] = code
		}
	}
	add(knowledge.LabelFranceServices, "France Services", "France Service", "france-services", "RFS", "MSAP",
		"Maison de services au public")
	add(knowledge.LabelConseillerNumerique, "CNFS", "Conseillers numériques", "Conseiller numérique",
		"Conseiller numérique France Services", "conseiller-numerique", "conseillers-numeriques")
	add(knowledge.LabelAidantsConnect, "Aidants Connect", "aidants-connect")
	// Fabriques de territoire are tiers-lieux the State labelled.
	add(knowledge.LabelTiersLieu, "TIERS_LIEUX", "Tiers-lieu", "Tiers-lieux", "france-tiers-lieux", "Fabriques de Territoire",
		"Fabrique de territoire")
	add(knowledge.LabelFabLab, "FABLAB", "FAB_LAB", "Fab lab")
	add(knowledge.LabelEPN, "EPN", "Espace public numérique", "espaces-publics-numeriques")
	for _, c := range knowledge.Labels {
		add(c, c)
	}
	return m
}

// Vocabulary maps labels to codes; build it once with NewVocabulary and
// share it (it is read-only).
type Vocabulary struct {
	services map[string][]string
	labels   map[string]string
}

// NewVocabulary builds the mapping of every version's labels.
func NewVocabulary() *Vocabulary {
	return &Vocabulary{services: serviceLabels(), labels: labelValues()}
}

// Services returns the service codes of a service label of any version,
// any case or accents; nil when the label is unknown.
func (v *Vocabulary) Services(label string) []string { return v.services[importer.Key(label)] }

// Label returns the label code of a national network, programme,
// structure type or producer; "" when it names none of ours.
func (v *Vocabulary) Label(value string) string { return v.labels[importer.Key(value)] }

// coder maps the labels of one file to codes, remembering each label it
// has met: an export repeats a few dozen labels over all its rows, and
// folding them again for each row was a good part of reading one.
type coder struct {
	v        *Vocabulary
	services map[string]uint32 // bit i: knowledge.Services[i]; 0: unknown
	labels   map[string]uint32 // bit i: knowledge.Labels[i]
}

func newCoder(v *Vocabulary) *coder {
	return &coder{v: v, services: map[string]uint32{}, labels: map[string]uint32{}}
}

// service returns the bits of a service label, 0 when unknown.
func (c *coder) service(label string) uint32 {
	bits, ok := c.services[label]
	if !ok {
		bits = mask(c.v.Services(label), knowledge.Services)
		c.services[label] = bits
	}
	return bits
}

// label returns the bit of a network's label, 0 when none.
func (c *coder) label(value string) uint32 {
	bits, ok := c.labels[value]
	if !ok {
		if code := c.v.Label(value); code != "" {
			bits = mask([]string{code}, knowledge.Labels)
		}
		c.labels[value] = bits
	}
	return bits
}

// mask sets the bit of each of codes, by its index in all.
func mask(codes, all []string) uint32 {
	var bits uint32
	for i, c := range all {
		if slices.Contains(codes, c) {
			bits |= 1 << i
		}
	}
	return bits
}

// codes lists the codes of bits in the order of all.
func codes(bits uint32, all []string) []string {
	var out []string
	for i, c := range all {
		if bits&(1<<i) != 0 {
			out = append(out, c)
		}
	}
	return out
}
