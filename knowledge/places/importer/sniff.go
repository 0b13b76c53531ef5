package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
)

// The formats the importers read.
const (
	// FormatLaMednumJSON and FormatLaMednumCSV are the national standard
	// of digital-mediation places (LaMednum, every version).
	FormatLaMednumJSON = "lamednum-json"
	FormatLaMednumCSV  = "lamednum-csv"
	// FormatStructures and FormatServices are data·inclusion's structures
	// and services (JSON); a services file gives no place by itself, it
	// says what the structures of another file offer.
	FormatStructures = "datainclusion-structures"
	FormatServices   = "datainclusion-services"
)

// WrapKeys are the keys of a wrapping object that may hold a JSON
// export's array (an API page: {"items": […], "total": …}).
func WrapKeys() []string { return []string{"items", "data", "results"} }

// bom is the UTF-8 byte order mark spreadsheets put in front of a CSV.
const bom = "\ufeff"

// SkipBOM drops a UTF-8 byte order mark at the start of r: JSON decoders
// refuse it and it would glue itself to the first CSV column name.
func SkipBOM(r *bufio.Reader) error {
	head, err := r.Peek(len(bom))
	if string(head) == bom {
		_, err = r.Discard(len(bom))
		return err
	}
	if err == io.EOF || err == bufio.ErrBufferFull {
		return nil
	}
	return err
}

// IsJSON reports whether the first thing in head (past whitespace) opens
// a JSON array or object; anything else is read as CSV.
func IsJSON(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n")
	return len(head) > 0 && (head[0] == '[' || head[0] == '{')
}

// Sniff tells the format of a file from its first bytes (a few kilobytes:
// the keys of the first object, or the CSV header). JSON exports are told
// apart by their keys: a data·inclusion service has a structure_id, a
// data·inclusion structure keys no LaMednum record has (reseaux_porteurs,
// horaires_accueil, siret…), a LaMednum record keys of its own (pivot,
// services, conditions_acces…).
func Sniff(head []byte) string {
	head = bytes.TrimPrefix(head, []byte(bom))
	if !IsJSON(head) {
		return FormatLaMednumCSV
	}
	keys := firstKeys(head)
	if keys["structure_id"] {
		return FormatServices
	}
	di, lm := 0, 0
	for _, k := range []string{"reseaux_porteurs", "horaires_accueil", "horaires_ouverture", "lien_source", "accessibilite_lieu",
		"accessibilite", "siret", "rna", "antenne", "thematiques", "description"} {
		if keys[k] {
			di++
		}
	}
	for _, k := range []string{"pivot", "services", "conditions_acces", "frais_a_charge", "dispositif_programmes_nationaux",
		"horaires", "courriels", "prise_rdv", "modalites_accompagnement", "publics_accueillis", "itinerance", "formations_labels"} {
		if keys[k] {
			lm++
		}
	}
	if di > lm {
		return FormatStructures
	}
	return FormatLaMednumJSON
}

// firstKeys returns the keys of the first object of a JSON array (or of
// the array a wrapping object holds), as far as head goes.
func firstKeys(head []byte) map[string]bool {
	keys := map[string]bool{}
	dec := json.NewDecoder(bytes.NewReader(head))
	tok, err := dec.Token()
	if err != nil {
		return keys
	}
	if tok == json.Delim('{') {
		for {
			key, err := dec.Token()
			if err != nil {
				return keys
			}
			k, _ := key.(string)
			if slices.Contains(WrapKeys(), k) {
				if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
					return keys
				}
				break
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return keys
			}
		}
	} else if tok != json.Delim('[') {
		return keys
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return keys
	}
	for {
		key, err := dec.Token()
		if err != nil {
			return keys
		}
		k, ok := key.(string)
		if !ok {
			return keys
		}
		keys[strings.ToLower(k)] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
}
