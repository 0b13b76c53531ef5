package servicepublic

import "strings"

// inBody reports whether a child of the root holds text shown on the
// sheet's page. Metadata, breadcrumb, legal references and lists of other
// sheets are left out: they would make a sheet match the questions its
// neighbours answer.
func inBody(name string, resource bool) bool {
	if resource {
		switch name {
		case "Introduction", "Texte", "NumeroCerfa", "AutreNumero", "OuSAdresser", "OuSAdresserSupport",
			"ServiceEnLigneAnnexe", "ServiceEnLigneAlternatif", "NoticeLiee":
			return true
		}
		return false
	}
	switch name {
	case "Introduction", "Texte", "ListeSituations", "Questionnaire", "Problematiques", "LienExterneCommente",
		"Avertissement", "SousDossier", "Fiche", "Dossier", "SousTheme", "OuSAdresser", "ServiceEnLigne":
		return true
	}
	return false
}

// isInline reports elements that sit inside a sentence: their text joins
// the surrounding text without a break ("1<Exposant>er</Exposant>").
func isInline(name string) bool {
	switch name {
	case "LienInterne", "LienExterne", "LienIntra", "MiseEnEvidence", "Expression", "Valeur",
		"Exposant", "Indice", "TermeEtranger", "Variable", "Citation":
		return true
	}
	return false
}

// skipInBody reports elements whose text is a code, not prose.
func skipInBody(name string) bool {
	switch name {
	case "PivotLocal", "Credits", "Condition", "SiSelectionne", "Colonne", "RessourceWeb":
		return true
	}
	return false
}

// body is the visible text of a sheet, one space between blocks, each
// distinct block once, bounded to MaxBody bytes.
func body(root *node, resource bool) string {
	b := bodyBuilder{seen: map[string]bool{}}
	for _, k := range root.kids {
		if k.name != "" && k.space == "" && inBody(k.name, resource) {
			b.add(k)
		}
	}
	return cutBody(b.out.String(), MaxBody)
}

type bodyBuilder struct {
	out  strings.Builder
	cur  []byte // text of the block being read
	seen map[string]bool
}

func (b *bodyBuilder) add(n *node) {
	if b.out.Len() >= MaxBody {
		return
	}
	block := !isInline(n.name)
	if block {
		b.flush()
	}
	for _, k := range n.kids {
		switch {
		case k.name == "":
			b.cur = append(b.cur, k.text...)
		case k.space == "" && !skipInBody(k.name):
			b.add(k)
		}
	}
	if block {
		b.flush()
	}
}

// flush ends a block. Blocks already written are dropped: conditional
// sheets repeat the same paragraphs and lists in every case, and the
// repetition would only crowd out the rest of the sheet under MaxBody.
func (b *bodyBuilder) flush() {
	if len(b.cur) == 0 {
		return
	}
	s := collapse(b.cur)
	b.cur = b.cur[:0]
	if s == "" || b.seen[s] {
		return
	}
	b.seen[s] = true
	if b.out.Len() > 0 {
		b.out.WriteByte(' ')
	}
	b.out.WriteString(s)
}
