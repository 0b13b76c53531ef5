package analysis

// stopWords are folded words that carry no meaning for orientation: French
// articles, pronouns, possessives, prepositions, auxiliary and modal verb
// forms, question words, politeness and chat fillers ("koi", "svp", "jsp"),
// and the English equivalents. The list is curated, not a generic one: it
// must never hold a word that tells one procedure from another, so "perdu",
// "vol", "carte", "aide", "droit", "demande", "sans", "moins", "non",
// "premiere" and "fois" are deliberately absent. Question words ("combien",
// "comment", "quand") are stop words for matching; question-type detection
// works on the raw text, not on terms.
//
// The forms are those produced by Fold (lower case, no accents), so "où"
// and "ou", "à" and "a", "été" and "ete" are one entry each.
var stopWords = withEnglish(map[string]bool{
	// articles, determiners, demonstratives
	"le": true, "la": true, "les": true, "l": true, "un": true, "une": true, "des": true,
	"du": true, "de": true, "d": true, "au": true, "aux": true, "ce": true, "cet": true,
	"cette": true, "ces": true, "ca": true, "cela": true, "ceci": true, "ci": true,
	"celui": true, "celle": true, "ceux": true, "celles": true,
	// possessives
	"mon": true, "ma": true, "mes": true, "ton": true, "ta": true, "tes": true,
	"son": true, "sa": true, "ses": true, "notre": true, "nos": true, "votre": true,
	"vos": true, "leur": true, "leurs": true,
	// personal pronouns
	"je": true, "j": true, "me": true, "m": true, "moi": true, "tu": true, "t": true,
	"te": true, "toi": true, "il": true, "elle": true, "on": true, "nous": true,
	"vous": true, "ils": true, "elles": true, "lui": true, "eux": true, "se": true,
	"s": true, "y": true, "en": true,
	// relatives and question words
	"que": true, "qu": true, "qui": true, "quoi": true, "koi": true, "kwa": true,
	"quel": true, "quelle": true, "quels": true, "quelles": true, "lequel": true,
	"laquelle": true, "lesquels": true, "lesquelles": true, "dont": true, "ou": true,
	"quelqu": true, "quelquun": true,
	"comment": true, "koment": true, "cmt": true, "combien": true, "pourquoi": true,
	"pourkoi": true, "pkoi": true, "pk": true, "pq": true, "quand": true, "ke": true,
	"ki": true, "kel": true, "kelle": true,
	// prepositions and conjunctions
	"a": true, "par": true, "pour": true, "pr": true, "avec": true, "sur": true,
	"dans": true, "ds": true, "chez": true, "vers": true, "et": true, "mais": true,
	"donc": true, "or": true, "ni": true, "car": true, "si": true, "comme": true,
	"depuis": true, "apres": true, "avant": true, "pendant": true, "lors": true,
	"selon": true, "entre": true,
	// negation, quantity and filler adverbs
	"ne": true, "n": true, "pas": true, "plus": true, "jamais": true, "rien": true,
	"tres": true, "trop": true, "bien": true, "aussi": true, "deja": true,
	"encore": true, "toujours": true, "tjr": true, "tjs": true, "vraiment": true,
	"peu": true, "beaucoup": true, "bcp": true, "tout": true, "tous": true,
	"toute": true, "toutes": true, "meme": true, "alors": true, "ici": true,
	"chaque": true, "autre": true, "autres": true, "quelque": true, "quelques": true,
	"aucun": true, "aucune": true, "svt": true, "mtn": true, "maintenant": true,
	// être, avoir, faire, aller, modal verbs: how people phrase a request
	"est": true, "es": true, "suis": true, "sont": true, "sommes": true, "etes": true,
	"etre": true, "etait": true, "ete": true, "ai": true, "as": true, "avons": true,
	"avez": true, "ont": true, "avoir": true, "avait": true, "eu": true, "fais": true,
	"fait": true, "faire": true, "faites": true, "font": true, "va": true, "vais": true,
	"vas": true, "vont": true, "aller": true, "peux": true, "peut": true,
	"pouvons": true, "pouvez": true, "peuvent": true, "pouvoir": true,
	"pourrais": true, "pourrait": true, "veux": true, "veut": true, "voulons": true,
	"voulez": true, "veulent": true, "vouloir": true, "voudrais": true,
	"voudrait": true, "souhaite": true, "souhaiterais": true, "aimerais": true,
	"dois": true, "doit": true, "devons": true, "devez": true, "doivent": true,
	"devoir": true, "faut": true, "falloir": true, "sais": true, "sait": true,
	"savoir": true, "besoin": true,
	// chat spellings of the above ("c'est", "j'ai", "qu'est-ce" typed without
	// apostrophe or hyphen)
	"c": true, "cest": true, "cetait": true, "jai": true, "jsuis": true, "chui": true,
	"jsp": true, "ya": true, "quest": true, "questce": true, "estce": true,
	// and phonetic ones: "g pa recu" is "j'ai pas reçu", "je sui", "il veu"
	"g": true, "pa": true, "sui": true, "jsui": true, "chuis": true, "veu": true,
	"jveux": true, "jpeux": true, "jpe": true, "jvais": true, "jvai": true, "fo": true,
	"ct": true, "keske": true, "kesk": true, "kesako": true, "quesako": true, "kil": true,
	"parce": true, "paske": true, "pask": true, "psk": true, "pcq": true, "qd": true,
	"kan": true, "kand": true, "dc": true, "tt": true, "tkt": true, "vrmt": true,
	"tjrs": true, "voila": true, "ben": true, "bah": true, "euh": true, "hein": true,
	"ok": true, "okay": true, "oki": true,
	// politeness and greetings
	"bonjour": true, "bonsoir": true, "salut": true, "coucou": true, "cc": true,
	"slt": true, "hello": true, "hi": true, "hey": true, "merci": true, "mrc": true,
	"svp": true, "stp": true, "sil": true, "plait": true, "please": true,
	"thanks": true, "thank": true, "bjr": true, "bsr": true, "dsl": true,
	"desole": true, "desolee": true, "pls": true, "plz": true,
})

// englishStopWords are the English stop words, for the English interface.
// They are part of stopWords; an English stop word typed in capitals in a
// French message is an acronym ("ARE", "AT").
var englishStopWords = map[string]bool{
	"the": true, "of": true, "to": true, "for": true, "in": true,
	"at": true, "by": true, "with": true, "is": true, "are": true, "am": true,
	"be": true, "was": true, "my": true, "your": true, "i": true, "you": true,
	"it": true, "this": true, "that": true, "what": true, "how": true, "do": true,
	"does": true, "can": true, "could": true, "would": true, "want": true,
	"need": true, "and": true, "not": true, "there": true, "someone": true,
	"anyone": true, "get": true, "have": true, "has": true, "just": true,
}

// withEnglish adds the English stop words to the French ones.
func withEnglish(fr map[string]bool) map[string]bool {
	for w := range englishStopWords {
		fr[w] = true
	}
	return fr
}

// IsStopWord reports whether the folded word is in the default stop list.
func IsStopWord(word string) bool { return stopWords[word] }

// abbreviations expands chat shorthands for ordinary words into the words
// the knowledge is written with ("alloc" → "allocation"). Domain acronyms
// and names (CNI, APL, RSA, "sécu") are not here: they are knowledge,
// declared as synonyms in the knowledge base, where an admin can see and
// edit them; expanding them here would also turn one rare, telling word
// into common ones.
var abbreviations = map[string]string{
	"alloc": "allocation", "allocs": "allocations", "appart": "appartement",
	"apparts": "appartements", "proprio": "proprietaire", "proprios": "proprietaires",
	"coloc": "colocation", "rdv": "rendez vous", "doc": "document", "docs": "documents", "admin": "administration",
	"tel": "telephone", "num": "numero", "dmd": "demande", "pb": "probleme",
	"pbm": "probleme", "bb": "bebe", "ado": "adolescent", "ados": "adolescents",
	"exam": "examen", "chomdu": "chomage", "boulot": "travail", "taf": "travail",
	"asso": "association", "assoc": "association", "etud": "etudiant",
	"info": "information", "infos": "informations", "dossie": "dossier",
	"mutu": "mutuelle", "ordi": "ordinateur", "perm": "permis",
	// A frequent misspelling that is a word of its own (« à tord »).
	"tord": "tort",
}

// stemOverrides fixes derivations the Snowball stemmer does not conflate
// and citizens use interchangeably: "perte de carte" means the same as
// "carte perdue". Keys are folded words after plural stripping.
var stemOverrides = map[string]string{
	"perte": "perdu", "perdre": "perdu", "perdu": "perdu",
	"inscription": "inscri", "inscrire": "inscri", "inscrit": "inscri",
	"chomeur": "chom", "chomeuse": "chom", "chomage": "chom",
	"mariage": "mari", "marier": "mari", "marie": "mari",
	"deces": "dece", "decede": "dece", "decedee": "dece",
	// "pays" would otherwise meet "payer" ("pay").
	"pays": "pays",
	// "viré" (fired) would otherwise meet "virement" (bank transfer).
	"virer": "virer", "vire": "virer", "viree": "virer",
	// "licencié" (fired) would otherwise meet "licence" (a sports or
	// driving licence) rather than "licenciement".
	"licencie": "licenci", "licenciee": "licenci",
	// A verb and the noun of its act: people say what they do ("je vends
	// ma voiture"), sheets name the procedure ("vente", "déclaration").
	"vendre": "vend", "vends": "vend", "vend": "vend", "vendu": "vend", "vendue": "vend", "vente": "vend",
	"acheter": "achat", "achete": "achat", "achetee": "achat", "achat": "achat",
	"naitre": "naissanc", "nee": "naissanc", "naissance": "naissanc",
	"heriter": "herit", "herite": "herit", "heritage": "herit", "heritier": "herit", "heritiere": "herit",
	"louer": "locat", "loue": "locat", "louee": "locat", "location": "locat",
	"modifier": "modif", "modifie": "modif", "modifiee": "modif", "modification": "modif",
	"fermer": "ferm", "ferme": "ferm", "fermee": "ferm", "fermeture": "ferm",
	"signer": "sign", "signe": "sign", "signee": "sign", "signature": "sign",
	"reconnaitre": "reconnaiss", "reconnu": "reconnaiss", "reconnue": "reconnaiss", "reconnaissance": "reconnaiss",
	"obtenir": "obten", "obtention": "obten",
	// "pacs" would stem to "pac", "pacser" and "pacsé" to "pacs".
	"pacs": "pacs", "pacse": "pacs", "pacser": "pacs",
	// Feminines the stemmer does not bring back to the masculine.
	"neuve": "neuf", "neuf": "neuf", "veuve": "veuf", "veuf": "veuf",
	"nouvelle": "nouveau", "nouvel": "nouveau", "nouveau": "nouveau",
	"creer": "creation", "cree": "creation", "creee": "creation", "creation": "creation",
	// Notions the stemmer folds into an unrelated common word: "mère"
	// into "mer" (the sea, "outre-mer"), "généraliste" into "général",
	// "réversion" into "reverser", "intéressement" into "intéressé",
	// "dépendance" into "dépend", "procuration" into "se procurer",
	// "colonie" into "colonne", "avertissement" into "avertir".
	// Not "succession" (a succession of fixed-term contracts is one) nor
	// "alternance" ("résidence en alternance" is shared custody).
	"mere": "mere", "pere": "pere", "generaliste": "generalist",
	"reversion": "reversion", "interessement": "interessement",
	"dependance": "dependanc", "dependant": "dependanc", "dependante": "dependanc",
	"procuration": "procuration", "colonie": "coloni", "avertissement": "avertissement",
	// Two is typed as a digit ("2 emplois") and written in words by the
	// sheets ("deux emplois"). Not the other numbers: "bulletin 3" is the
	// bulletin n°3, not "les trois bulletins".
	"2": "deux",
}
