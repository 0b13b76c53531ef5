// Package lamednum reads the national standard of digital-mediation
// places (« lieux de médiation numérique », LaMednum and ANCT, Licence
// Ouverte 2.0) into knowledge.Place values, whatever the version of the
// export: the first JSON form of the national map (services and
// labels_nationaux separated by « ; », conditions_acces, courriel), the
// Table Schema of schema.data.gouv.fr (CSV, values separated by « | »,
// frais_a_charge, courriels, typologie, dispositif_programmes_nationaux),
// and what lies between. Fields are found by name, so column order and
// missing columns do not matter.
//
// # Mapping
//
//   - ID: id, as published (the national map's ids name their producer:
//     « mediation-numerique-france-services-18 », « dora-… »). Source:
//     source (the producer). Name: nom. Address: adresse, then
//     complement_adresse. PostalCode, Commune, INSEE: code_postal,
//     commune, code_insee. Jurisdiction: FR.
//   - Lat, Lon: latitude, longitude (numbers or strings, decimal comma
//     accepted). None, or 0 and 0, is a place without coordinates: kept,
//     and placed at its commune by Options.Locate when it can.
//   - Services: every label of every version, compared without case,
//     accents or punctuation (Vocabulary.Services): démarches
//     administratives (with help, or to become autonomous) → demarches;
//     santé → sante; smartphone, tablette, ordinateur, numérique au
//     quotidien, outils du quotidien → quotidien; culture numérique,
//     citoyenneté numérique, utilisation sécurisée, compréhension du monde
//     numérique → culture; insertion professionnelle → emploi; accéder à
//     du matériel or à une connexion, accès internet et matériel → acces;
//     s'équiper, acquisition à prix solidaire → equipement; créer avec le
//     numérique, loisirs et créations → creation; créer et développer mon
//     entreprise → entreprise; parentalité et éducation → parentalite. An
//     unknown label is ignored and counted in Result.Unknown.
//   - Labels: labels_nationaux, dispositif_programmes_nationaux,
//     formations_labels, typologie and the producer (source), through
//     Vocabulary.Label: France Services (and MSAP, RFS, the
//     france-services producer) → france-services; CNFS, Conseillers
//     numériques, the conseiller-numerique producer →
//     conseiller-numerique; Aidants Connect → aidants-connect;
//     TIERS_LIEUX, Fabriques de territoire, the france-tiers-lieux
//     producer → tiers-lieu; FABLAB → fab-lab; EPN → epn. Other
//     programmes (La Croix Rouge, PIX…) name no network of ours.
//   - Phone, Email, Website, Booking: the first of telephone,
//     courriels (else courriel), site_web, prise_rdv.
//   - Cost: conditions_acces or frais_a_charge, each value up to its « : »
//     (« Gratuit », « Payant », « Gratuit sous condition »), joined.
//   - Hours: horaires (OpenStreetMap opening_hours), as published.
//     Updated: date_maj (YYYY-MM-DD; 1970-01-01, a producer's « unknown »,
//     is dropped).
//
// # Malformed rows
//
// A row without id or name (nom), with coordinates that are not numbers,
// only one of the two, or a point outside France and its overseas
// territories, a repeated id, a CSV row with more or fewer fields than
// the header or broken quotes, a JSON element that is not an object: it
// is reported with its line (where the CSV record or the JSON object
// starts) and its id when known, and skipped.
package lamednum
