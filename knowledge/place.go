package knowledge

import "slices"

// Place is somewhere a person can go for help: a France Services
// counter, a digital-mediation place, a tiers-lieu, a Services Québec
// office. Places come from imports (LaMednum standard, data·inclusion)
// or from knowledge items of kind place (their place: block is this
// type); whatever their source, services and labels are the codes below,
// so that a tree can ask for « help with online procedures » without
// knowing how each export words it.
type Place struct {
	// ID is unique across sources: the source's id, prefixed by the
	// source when the export's ids may collide.
	ID string `yaml:"id,omitempty" json:"id,omitempty"`
	// Source names the producer or import (« dora », « france-services »,
	// « conseiller-numerique », a knowledge file).
	Source string `yaml:"source,omitempty" json:"source,omitempty"`
	Name   string `yaml:"name,omitempty" json:"name,omitempty"`
	// Address is the street address, without postal code and commune.
	Address    string `yaml:"address,omitempty" json:"address,omitempty"`
	PostalCode string `yaml:"postal_code,omitempty" json:"postal_code,omitempty"`
	Commune    string `yaml:"commune,omitempty" json:"commune,omitempty"`
	// INSEE is the commune's INSEE code (France), "" elsewhere.
	INSEE string `yaml:"insee,omitempty" json:"insee,omitempty"`
	// Jurisdiction is FR or QC.
	Jurisdiction string `yaml:"jurisdiction,omitempty" json:"jurisdiction,omitempty"`
	// Lat and Lon are WGS84 degrees; a place without them is placed at
	// its commune by the importer, or left out of nearest-place answers.
	Lat float64 `yaml:"lat,omitempty" json:"lat,omitempty"`
	Lon float64 `yaml:"lon,omitempty" json:"lon,omitempty"`
	// Services are Service* codes.
	Services []string `yaml:"services,omitempty" json:"services,omitempty"`
	// Labels are Label* codes.
	Labels []string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Hours are the opening hours in the OpenStreetMap opening_hours
	// syntax (« Mo-Fr 09:00-12:30,13:30-16:30; Sa 09:00-12:00 »), "" when
	// unknown.
	Hours string `yaml:"hours,omitempty" json:"hours,omitempty"`
	Phone string `yaml:"phone,omitempty" json:"phone,omitempty"`
	Email string `yaml:"email,omitempty" json:"email,omitempty"`
	// Website and Booking are URLs; Booking is where to make an
	// appointment.
	Website string `yaml:"website,omitempty" json:"website,omitempty"`
	Booking string `yaml:"booking,omitempty" json:"booking,omitempty"`
	// Cost says what it costs (« Gratuit », « Payant »), as published.
	Cost string `yaml:"cost,omitempty" json:"cost,omitempty"`
	// Updated is the source's last update (YYYY-MM-DD), "" when unknown.
	Updated string `yaml:"updated,omitempty" json:"updated,omitempty"`
}

// Service codes: what a place helps with.
const (
	// ServiceDemarches is help with (online) administrative procedures.
	ServiceDemarches = "demarches"
	// ServiceQuotidien is learning to use a computer, a smartphone or a
	// tablet, and the digital tools of daily life.
	ServiceQuotidien = "quotidien"
	// ServiceAcces is access to a computer, a printer or the internet.
	ServiceAcces = "acces"
	// ServiceEquipement is buying equipment at a fair price.
	ServiceEquipement = "equipement"
	// ServiceEmploi is finding work through digital tools.
	ServiceEmploi = "emploi"
	// ServiceCulture is understanding the digital world, citizenship,
	// safe use.
	ServiceCulture = "culture"
	// ServiceParentalite is parenting and education with digital tools.
	ServiceParentalite = "parentalite"
	// ServiceCreation is creating with digital tools (fab labs, makers).
	ServiceCreation = "creation"
	// ServiceEntreprise is creating and running a business.
	ServiceEntreprise = "entreprise"
	// ServiceSante is help with health procedures (Mon Espace Santé).
	ServiceSante = "sante"
)

// Services lists every service code, in the order answers name them.
var Services = []string{ServiceDemarches, ServiceQuotidien, ServiceAcces, ServiceEquipement, ServiceEmploi,
	ServiceCulture, ServiceParentalite, ServiceCreation, ServiceEntreprise, ServiceSante}

// Label codes: the national networks a place belongs to.
const (
	LabelFranceServices      = "france-services"
	LabelConseillerNumerique = "conseiller-numerique"
	LabelAidantsConnect      = "aidants-connect"
	LabelTiersLieu           = "tiers-lieu"
	LabelFabLab              = "fab-lab"
	// LabelEPN is an espace public numérique.
	LabelEPN = "epn"
	// LabelServicesQuebec is a Services Québec office.
	LabelServicesQuebec = "services-quebec"
)

// LabelServices are the labels that say what a place offers: a fab lab
// is where people create with digital tools, an espace public numérique
// where they use a computer and the internet. Exports seldom carry these
// labels, so a request for a fab lab asks for the service, and a place
// with the label is given the service (ImplyServices).
var LabelServices = map[string]string{LabelFabLab: ServiceCreation, LabelEPN: ServiceAcces}

// ImplyServices adds to p the services its labels imply (LabelServices).
func ImplyServices(p *Place) {
	for _, l := range p.Labels {
		if s, ok := LabelServices[l]; ok && !slices.Contains(p.Services, s) {
			p.Services = append(p.Services, s)
		}
	}
}

// Labels lists every label code.
var Labels = []string{LabelFranceServices, LabelConseillerNumerique, LabelAidantsConnect, LabelTiersLieu,
	LabelFabLab, LabelEPN, LabelServicesQuebec}

// Filter says which places an answer wants: a place matches when it
// offers one of Services (any, when empty) and carries one of Labels
// (any, when empty).
type Filter struct {
	Services []string `yaml:"services,omitempty" json:"services,omitempty"`
	Labels   []string `yaml:"labels,omitempty" json:"labels,omitempty"`
}

// Match reports whether p passes f.
func (f Filter) Match(p *Place) bool {
	return anyOf(f.Services, p.Services) && anyOf(f.Labels, p.Labels)
}

func anyOf(want, have []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		for _, h := range have {
			if w == h {
				return true
			}
		}
	}
	return false
}
