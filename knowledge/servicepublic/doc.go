// Package servicepublic reads the official service-public.fr "Vos droits et
// démarches" catalogue (DILA, Licence Ouverte 2.0) into knowledge items, so
// that Boussole answers from the same sheets as the public site, with their
// source link, review date and attribution.
//
// The input is what DILA publishes: a zip (or a directory) of XML files, one
// per sheet, laid out flat: F… fiches, N… dossiers and thèmes, R… resources.
// ParseSheet maps one file; Read reads whole catalogues in parallel,
// reports unreadable sheets instead of failing, and merges a sheet published
// in several audiences' zips; Hash gives a content hash for idempotent
// re-imports.
//
// # Mapping
//
// Two root elements exist in the format:
//
//   - <Publication type="…"> — fiche d'information (conditionnée), question-
//     réponse (conditionnée), fiche avec liens externes, comment faire si
//     (and its simulateur variant), recherche guidée, dossier (N…) and thème
//     (N…). All become KindProcedure: even a dossier or thème page is a way
//     into procedures, and SheetType keeps the official type so that search
//     can rank hubs below sheets.
//   - <ServiceComplementaire type="…"> — the R… resources: téléservice,
//     formulaire, modèle de document, simulateur, outil de recherche. They
//     are things a citizen does online, so they are KindProcedure too, with
//     their link in Where.Online and "cerfa N°" in Keywords.
//
// The catalogue has no sheet for an office: offices and organisations to
// contact appear only as <OuSAdresser> blocks inside sheets. They are mapped
// to the Where of the sheet that names them (see below) rather than to
// KindPlace items of their own, because a block carries no address, no date
// and no page of its own to cite. Any other root element is reported as
// unsupported, never guessed.
//
// Fields, for every sheet:
//
//   - ID: the ID attribute (F1344, N358, R13630). Title: dc:title, without
//     the "**" editors put in front of recherche guidée titles. Summary:
//     dc:description on one line, else the first sentence of the
//     introduction, else of the body, else the title (knowledge.Validate
//     wants one).
//   - Audience: the sheet's <Audience> elements and the root of its
//     breadcrumb ("Particuliers" → particulier, "Professionnels" →
//     professionnel, "Associations" → association). Jurisdiction FR, Lang fr.
//   - Themes: the breadcrumb (FilDAriane/Niveau) without the "Accueil …"
//     root, the listing pages ("Services en ligne et formulaires") and the
//     sheet itself, then the Theme, SousThemePere and DossierPere titles it
//     lacks, broadest first.
//   - Situations: the ListeSituations/Situation titles ("En ligne", "Par
//     courrier") and the titles of outermost BlocCas/Cas, when short.
//     Nested cases only make sense under their parent, so they stay in Body.
//   - Where.Online: the sheet's ServiceEnLigne (services and forms; the
//     label says "formulaire cerfa n°…", "modèle de document", "simulateur"
//     when not a plain téléservice), then the RessourceWeb locators of its
//     OuSAdresser blocks labelled with their title; for a resource, its own
//     LienWeb first, then its annexes and notice. De-duplicated by URL, at
//     most 12.
//   - Where.Office: the titles of the OuSAdresser blocks one goes or writes
//     to, joined with "; " — first those with a PivotLocal, which name a
//     type of counter ("Mairie", "Caisse d'allocations familiales (Caf)",
//     "Commissariat ou Gendarmerie"), then named offices ("Tribunal
//     judiciaire ou de proximité", "Cert de Nevers"), at most 5. DILA's
//     titles are plain words and say more than the PivotLocal code
//     ("Mairie délivrant des cartes d'identité"); the code is turned into
//     words ("commissariat_police" → "commissariat de police ou
//     gendarmerie") only for a block without a title. Contact centres
//     (phone lines) and support desks are not offices: their links go to
//     Online and their text to Body.
//   - Related: parent (dc:relation "isPartOf N…", DossierPere), children of
//     dossiers and thèmes, QuestionReponse, CommentFaireSi, RechercheGuidee,
//     VoirAussi, ServiceEnLigne and FicheLiee ids, then LienInterne targets,
//     de-duplicated, without the sheet itself.
//   - Glossary: Abreviation → Term{Term, Expansion}; Definition →
//     Term{Term, Definition}.
//   - Keywords: recherche guidée titles ("CNI - Perte majeur"),
//     abbreviations, Cible ("Automobiliste"), cerfa and other form numbers.
//     dc:subject is not a keyword: it only repeats the theme.
//   - Sources: spUrl when it is an https URL, else
//     https://www.service-public.fr/<particuliers|professionnels-entreprises|associations>/vosdroits/<ID>
//     (the real path of the professionals' site, not "professionnels").
//   - Reviewed: dc:date "modified YYYY-MM-DD", else
//     dateDerniereModificationImportante. A sheet with neither is skipped:
//     Boussole never shows an answer without its review date.
//   - Body: the visible text (introduction, chapters, situations, cases,
//     lists, tables, notes, where-to-go and online-service blocks, dossier
//     and thème contents), inline elements included, whitespace collapsed,
//     each repeated block kept once (conditional sheets repeat whole lists
//     of documents per case), bounded to MaxBody bytes.
//   - Attribution, Origin "service-public", SheetType (Publication@type or
//     the resource's type).
//
// # Duplicates
//
// DILA publishes a sheet in each audience's zip it concerns, with a
// breadcrumb per audience. Read keeps the copy with the newest Reviewed date
// and merges the others' audiences, themes and related ids into it. On a
// tie it prefers a copy with an spUrl: the 557 files without one are older
// copies (schema 3.0, titles like "Téléservice : …" rewritten since) left
// next to the current ones; then the first read, in the order of the
// paths, so the result never depends on the order of the workers.
//
// # Catalogues
//
// Each zip is the catalogue of one audience, and importing one says
// nothing of the others. Read reports what each path held (Source): the
// audience the breadcrumbs of most of its sheets start from, the ids read
// and the files skipped, each with the sheet it is as far as the file
// tells (its root's ID attribute, else a file name like F1344.xml), so
// that the importer retires per catalogue and never retires a sheet
// because its new copy is broken. Merge combines a stored sheet with a
// copy read from one catalogue when another still has it.
//
// # Robustness
//
// Files are streamed from the zip (nothing is extracted to disk), refused
// above MaxSheetSize, and decoded with encoding/xml's tokenizer into a small
// tree checked for matching tags, a single root and a bounded depth; the
// mapping then walks that tree once per field. No input makes ParseSheet
// panic (FuzzParseSheet checks it), and every item it returns passes
// knowledge.Validate.
//
// The three 2020 zips (7,591 files, 78 MB of XML) read in about 1 s on two
// idle cores (BenchmarkReadAll); half of it is encoding/xml's tokenizer,
// an eighth is inflating the zip.
package servicepublic
