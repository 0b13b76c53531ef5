#!/usr/bin/env bash
# Rebuilds knowledge/places/geodata from ../shared/data: the two gazetteer
# files compressed as they are, and the list of commune names that are also
# ordinary words of the official sheets (« Orange », « Tours », « Rue »):
# the gazetteer reads those as a town only when written with a capital.
set -euo pipefail
cd "$(dirname "$0")/../.."
shared=${SHARED:-../shared/data}
out=knowledge/places/geodata
gzip -9 -n -c "$shared/geo/communes-fr.csv" >"$out/communes-fr.csv.gz"
gzip -9 -n -c "$shared/geo/municipalites-qc.csv" >"$out/municipalites-qc.csv.gz"
python3 - "$shared" >"$out/common-names.txt" <<'PY'
import csv, re, sys, unicodedata, zipfile
shared = sys.argv[1]
def fold(s):
    s = unicodedata.normalize('NFD', s.lower())
    s = ''.join(c for c in s if unicodedata.category(c) != 'Mn')
    return ' '.join(re.split(r'[^a-z0-9]+', s)).strip()
names = {}
for r in csv.DictReader(open(f'{shared}/geo/communes-fr.csv', encoding='utf-8')):
    names[fold(r['nom'])] = True
for r in csv.DictReader(open(f'{shared}/geo/municipalites-qc.csv', encoding='utf-8')):
    names[fold(r['nom'])] = True
low = set()
for z in ('particuliers', 'professionnels', 'associations'):
    with zipfile.ZipFile(f'{shared}/service-public/vosdroits-{z}-2020.zip') as zf:
        for n in zf.namelist():
            t = re.sub(r'<[^>]+>', ' ', zf.read(n).decode('utf-8', 'ignore'))
            # Lower-case words only: a word written in lower case in the
            # sheets is an ordinary word, whatever town bears its name.
            for w in re.findall(r"(?<![\w'’-])[a-zàâäéèêëîïôöùûüÿç]+(?:[ '’-][a-zàâäéèêëîïôöùûüÿç]+)?", t):
                low.add(fold(w))
print('# Commune or municipality names that are also ordinary lower-case words or')
print('# two-word phrases of the service-public.fr sheets (scripts/geo/refresh.sh).')
for n in sorted(k for k in names if k in low):
    print(n)
PY
