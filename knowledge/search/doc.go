// Package search is Boussole's in-memory, French-aware search over
// knowledge items and orientation-tree triggers, so that free text typed in
// a chat ("cni perdu", "alocation logement etudian", "rsa c koi") can go
// straight to a sheet or start a tree. It is pure Go and has no state but
// the immutable Index built by New; Search is safe for concurrent use.
// Every ranking parameter is a field of Options (DefaultOptions lists
// them), fixed when New builds the index, so indexes tuned differently can
// live side by side.
//
// # Analysis
//
// Index and queries go through the same analysis.Analyzer: accent and case
// folding, elision splitting ("d'identité"), chat shorthands ("alloc"),
// curated French stop words, Snowball French stemming adjusted for folded
// text. Query words unknown to the index are then resolved, in order, by
// splitting a glued elision ("didentite"), by typo correction
// (Damerau-Levenshtein ≤ 1 for 4–7 letters, ≤ 2 from 8, candidates from a
// trigram index of the vocabulary's surface words) and by prefix
// completion ("renouv"), each at a reduced weight.
//
// # Synonyms
//
// Synonym groups come from Base.Synonyms, Options.Synonyms, each item's own
// synonyms and titles ending in an acronym ("Revenu de solidarité active
// (RSA)"). Phrases are matched on term sequences, longest first, and a
// matched span of the query becomes a unit whose alternatives are its own
// words and each equivalent phrase; a document scores the best alternative,
// so a sheet saying both "CNI" and "carte nationale d'identité" is not
// counted twice.
//
// # Scoring
//
// Each document is a set of fields (title, synonyms, keywords, triggers,
// summary, steps, documents, details, body) with their own weight and
// length normalisation: BM25F, with the per-document, per-field factor
// weight/(1-b+b·len/avglen) precomputed at build time. Postings are
// integer term ids → (document, field, tf, positions offset), sorted by
// document, in one flat slice; queries are evaluated term at a time into
// sparse accumulators, so cost follows the postings touched, not the size
// of the base. The ranking score is the BM25F sum over query units, plus a
// bonus for consecutive query words adjacent in a short field (title,
// names, summary: positions are kept only there), scaled by the query's
// coverage and a little by focus (how much of one of the document's names
// the query covers, which lets a tree whose trigger is exactly the query
// beat an item that merely mentions it).
//
// The score is then multiplied by a query-independent prior (prior.go:
// links to the item from other items, page type — sheets above dossiers
// and forms unless a form is asked for), by facets (facets.go: question
// types and publics from the curated lexicon, knowledge/lexicon), and a
// candidate linked from other strong candidates gains a little. The
// factors that need a lookup per document, and the neighbourhood, are
// computed over a pool of fixed size (Options.CandidatePool, the best
// documents by the score above): how many hits the caller asks for only
// cuts the list, so a sheet's place and confidence never depend on it. See
// docs/search.md for the measurements and the ablation.
//
// Confidence and Match are computed separately from the score, from
// normalised evidence — coverage of the query weighted by how telling each
// word is and where it matched, focus, specificity — so they can be
// thresholded across queries. Match is that evidence (measured against
// about three telling words of a long message); Confidence lowers it by
// the margin over the next hit of the same kind. The bot answers from a
// confidence of about 0.5 and offers the hits matching at least 0.3. Why
// names the matched words per field, the synonyms and corrections used and
// an adjacent pair, then each factor that moved the score once the words
// matched, with its value: centrality and page type (the prior), a facet
// the query names, a public or audience it does not, words found as typed,
// the links naming the sheet with the query's words, the other candidates
// linking to it (« type: dossier ×0.70 », « voisinage: 5 renvoi(s) des
// autres candidats ×1.15 »). The words' score times those factors is the
// score that ranks.
//
// Measured on the 7,180 service-public.fr items of the shared data with the
// tuning harness (TestTuneServicePublic, BOUSSOLE_TUNE=1) and `boussole
// eval`: figures, method and each ingredient's contribution are in
// docs/search.md.
//
// # Scaling up
//
// The layout is meant for the ~7,600 service-public.fr sheets: term ids,
// flat postings, precomputed norms, positions only for short fields, a
// trigram index instead of a deletion neighbourhood for typos (a few bytes
// per word rather than one string per deletion). Options and the Analyzer
// are the extension points for question-type awareness, glossary synonyms
// and tuning against an evaluation set.
package search
