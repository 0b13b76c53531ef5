package analysis

// English messages. Boussole's knowledge is French, and English questions
// reach it through the English lexicon. The French analysis mostly serves
// them (the English stop words are in the stop list), but a few English
// function words are French words or typos of French words ("don't"
// leaves "don", a gift; "an" is a year; "here" reads as "heure"), and a few
// French stop words are English nouns ("my car", "our son"). A message is
// read as English when its function words say so (IsEnglish); only then
// are these words treated as English. A French message is analysed exactly
// as before: nothing here applies to it.

// englishMarkers are English function words that are not French words (nor
// French acronyms typed in lower case: "are", "at"): one of them, and more
// of them than of French function words, make a message English.
var englishMarkers = map[string]bool{
	"the": true, "of": true, "to": true, "for": true, "in": true, "is": true,
	"it": true, "its": true, "my": true, "your": true, "i": true, "im": true,
	"you": true, "this": true, "that": true, "these": true, "those": true,
	"what": true, "how": true, "do": true, "does": true, "did": true,
	"can": true, "could": true, "would": true, "should": true, "will": true,
	"and": true, "with": true, "have": true, "has": true, "had": true,
	"was": true, "were": true, "been": true, "be": true, "am": true,
	"we": true, "our": true, "they": true, "their": true, "them": true,
	"he": true, "she": true, "his": true, "her": true, "him": true,
	"from": true, "when": true, "where": true, "why": true, "which": true,
	"who": true, "there": true, "not": true, "any": true, "about": true,
	"after": true, "into": true, "if": true,
}

// frenchMarkers are French function words that are not English words.
var frenchMarkers = map[string]bool{
	"le": true, "la": true, "les": true, "un": true, "une": true, "des": true,
	"du": true, "de": true, "je": true, "est": true, "et": true, "pour": true,
	"mon": true, "ma": true, "mes": true, "que": true, "qui": true, "pas": true,
	"ne": true, "il": true, "elle": true, "nous": true, "vous": true,
	"dans": true, "sur": true, "avec": true, "ce": true, "cette": true,
	"au": true, "aux": true, "sa": true, "ses": true, "se": true,
	"comment": true, "quoi": true, "quel": true, "quelle": true, "suis": true,
	"ai": true, "peux": true, "faut": true, "jai": true, "cest": true,
	"mais": true, "ou": true, "par": true, "leur": true, "notre": true,
	"votre": true, "tu": true, "ton": true, "ta": true, "tes": true,
}

// IsEnglish reports whether folded tokens (Tokens) read as an English
// message: at least one English function word, and more of them than
// French ones ("my titre de séjour expired, can I keep working?" is
// English; "c'est quoi le pass navigo" is not).
func IsEnglish(tokens []string) bool {
	en, fr := 0, 0
	for _, w := range tokens {
		switch {
		case englishMarkers[w]:
			en++
		case frenchMarkers[w]:
			fr++
		}
	}
	return en > 0 && en > fr
}

// hasFrench reports whether tokens hold a French function word.
func hasFrench(tokens []string) bool {
	for _, w := range tokens {
		if frenchMarkers[w] {
			return true
		}
	}
	return false
}

// englishStop are words dropped from an English message only: English
// function words, contraction leftovers ("don't" → "don", "we're" → "re")
// and chat fillers, some of them French words ("an", "but", "don", "sure")
// or close to one ("here", "heure").
var englishStop = map[string]bool{
	"an": true, "about": true, "again": true, "all": true, "also": true,
	"any": true, "anyone": true, "anything": true, "anyway": true, "as": true,
	"because": true, "been": true, "being": true, "both": true, "but": true,
	"did":    true,
	"doing":  true,
	"either": true, "else": true, "even": true, "ever": true,
	"few": true, "had": true,
	"having": true, "he": true, "her": true, "hers": true,
	"herself": true, "him": true, "himself": true, "his": true, "if": true,
	"im": true, "into": true, "its": true,
	"itself": true, "ive": true, "ll": true, "many": true, "may": true,
	"me": true, "might": true, "mine": true, "much": true, "must": true,
	"nor": true, "now": true, "only": true, "or": true,
	"other": true, "our": true, "ours": true, "ourselves": true,
	"quite": true, "rather": true, "re": true, "really": true, "same": true,
	"say": true, "says": true, "said": true, "shall": true, "she": true,
	"should": true, "so": true, "some": true,
	"somebody": true, "something": true, "still": true, "such": true,
	"than": true, "thats": true, "their": true, "theirs": true, "them": true,
	"themselves": true, "then": true, "these": true, "they": true,
	"those": true, "though": true, "too": true, "ve": true,
	"very": true, "we": true, "were": true,
	"whats": true, "where": true, "whether": true,
	"which": true, "while": true, "who": true, "whom": true, "whose": true,
	"why": true,
	"yet": true, "yours": true, "yourself": true,
	"anybody": true, "nothing": true, "actually": true, "already": true,
	"enough": true, "pretty": true, "sure": true, "happens": true,
	"happen": true, "from": true,
}

// englishNegations are the words left of a negative contraction ("don't"
// is "don" once the elided "t" is dropped) and the negations typed
// without apostrophe: an English message reads each as "not", so "I don't
// work" meets the lexicon's "don't work" (inactive), and "don" (a gift) is
// not looked for. "not" is a stop word of the French analysis: a lone
// "not" only serves phrases.
var englishNegations = map[string]bool{
	"don": true, "dont": true, "doesn": true, "doesnt": true, "didn": true,
	"didnt": true, "isn": true, "isnt": true, "aren": true, "arent": true,
	"wasn": true, "wasnt": true, "weren": true, "werent": true,
	"haven": true, "havent": true, "hasn": true, "hasnt": true, "hadn": true,
	"won": true, "wont": true, "wouldn": true, "wouldnt": true,
	"couldn": true, "couldnt": true, "shouldn": true, "shouldnt": true,
	"cant": true, "cannot": true, "not": true,
}

// englishNouns are English nouns that are French stop words ("car"):
// an English message reads them as the word the English lexicon uses
// ("vehicle"), which no French phrase has.
var englishNouns = map[string]string{"car": "vehicle", "cars": "vehicles"}
