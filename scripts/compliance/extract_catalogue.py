#!/usr/bin/env python3
"""Builds src/compliance/data/catalogue.json from shared/GUIDELINE.md (issue 9).

GUIDELINE.md is the project's requirement catalogue: one markdown table row per
GOV-, PLAN-, SYS-, EMG- and CHK- ID. This script parses those rows, merges the
hand-written overlay src/compliance/data/catalogue_ja.json (the Japanese
description of every row, written for this project, and what the tables cannot
give), and writes the catalogue the compliance module embeds.

It fails loudly (exit 1, naming the line) on any row it cannot parse, on a
duplicate ID, on an overlay entry for an unknown ID and on a row without its
Japanese text, so the data file can never silently drop a requirement.

The output is deterministic: rows in GUIDELINE order, keys in a fixed order,
UTF-8, two-space indent, one trailing newline.

Usage:
  extract_catalogue.py [--guideline PATH] [--overlay PATH] [--out PATH] [--check]
  --check compares with the existing output instead of writing (exit 1 if stale).

Python 3 standard library only.
"""
import argparse
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_GUIDELINE = ROOT.parent / 'shared' / 'GUIDELINE.md'
DEFAULT_OVERLAY = ROOT / 'src' / 'compliance' / 'data' / 'catalogue_ja.json'
DEFAULT_OUT = ROOT / 'src' / 'compliance' / 'data' / 'catalogue.json'

FORMAT = 'mamori-compliance-catalogue/1'
ALL_PATTERNS = ['I', 'II', 'III', 'IV']
VOLUMES = {'GOV': '経営', 'PLAN': '企画', 'SYS': 'シス', 'EMG': 'emergency', 'CHK': 'checklist'}
MODULES = {'core', 'crypto', 'store', 'ledger', 'fhir', 'auth', 'policy', 'backup', 'compliance',
           'http', 'cli', 'web'}
ID_CELL = re.compile(r'^(GOV|PLAN|SYS|EMG|CHK)-')
ID_FULL = re.compile(r'^(GOV|PLAN|SYS|EMG|CHK)-(\d{2})$')
SOURCE_MARKER = re.compile(r'\[((?:T|Q|O|D|M|S)(?: [^\]]*)?)\]')
TITLE = re.compile(r'「([^」]+)」')

# Condition phrases of the patterns column -> condition key. A phrase not listed
# here is a parse error: a new kind of condition must be added on purpose.
CONDITIONS = {
    'unless covered by contract': 'contract',
    'only if e-signatures are used': 'e-signature',
    'only if paper is digitised': 'paper-digitisation',
    'with a vendor': 'vendor',
    'with a maintenance vendor': 'vendor',
    'where an external destination is used': 'external-destination',
    'where remote use is allowed': 'remote-access',
    'where remote access exists': 'remote-access',
    'where patient access is offered': 'patient-access',
    'where remote maintenance is used': 'remote-maintenance',
    'where mobile devices are used': 'mobile-devices',
    'where such devices connect': 'iot-devices',
    'pharmacies': 'pharmacy',
}

# The checklist sub-tables of GUIDELINE section 5, by the start of their heading.
CHECKLIST_SECTIONS = [
    ('医療機関確認用', ['医療機関確認用'], '令和6年度版'),
    ('事業者確認用', ['事業者確認用'], '令和6年度版'),
    # "the 事業者 form checks the same on the vendor side"
    ('令和7年度版 additions', ['医療機関確認用', '事業者確認用'], '令和7年度版'),
    ('薬局確認用', ['薬局確認用'], None),
]

OVERLAY_KEYS = {'text_ja', 'title_ja', 'verification', 'versions', 'version_notes', 'status'}


class ParseError(Exception):
    pass


def fail(line_no, row_id, message):
    raise ParseError(f'GUIDELINE.md:{line_no}: {row_id or "row"}: {message}')


def split_cells(line):
    stripped = line.strip()
    if not (stripped.startswith('|') and stripped.endswith('|')):
        return None
    return [c.strip() for c in stripped[1:-1].split('|')]


def parse_sources(cell, line_no, row_id):
    sources = SOURCE_MARKER.findall(cell)
    if not sources:
        fail(line_no, row_id, f'no source marker ([T], [Q], [O], [D], [M], [S]) in {cell!r}')
    return sources


def parse_pattern_list(text, line_no, row_id):
    if text == 'I–IV':
        return list(ALL_PATTERNS)
    names = [n.strip() for n in text.split(',')]
    if not names or any(n not in ALL_PATTERNS for n in names):
        fail(line_no, row_id, f'bad pattern list {text!r}')
    return names


def parse_condition(text, line_no, row_id):
    if text == '':
        return None
    if text not in CONDITIONS:
        fail(line_no, row_id, f'unknown pattern condition {text!r}')
    return {'key': CONDITIONS[text], 'text': text}


def parse_patterns(cell, line_no, row_id):
    """'I, III; II, IV unless covered by contract (mamori always)' -> clauses and note."""
    note = None
    m = re.match(r'^(.*?)\s*\(([^()]*)\)$', cell)
    body = cell
    if m and not m.group(1).startswith('pharmacies'):
        body, note = m.group(1), m.group(2)
    if body.startswith('only if '):
        return [clause(ALL_PATTERNS, parse_condition(body, line_no, row_id))], note
    pm = re.match(r'^pharmacies \((I–IV)\)$', body)
    if pm:
        return [clause(ALL_PATTERNS, parse_condition('pharmacies', line_no, row_id))], note
    clauses = []
    for part in body.split(';'):
        cm = re.match(r'^\s*(I–IV|(?:IV|III|II|I)(?:, (?:IV|III|II|I))*)(?![IV])\s*(.*?)\s*$', part)
        if not cm:
            fail(line_no, row_id, f'cannot parse patterns {cell!r}')
        clauses.append(clause(parse_pattern_list(cm.group(1), line_no, row_id),
                              parse_condition(cm.group(2), line_no, row_id)))
    return clauses, note


def clause(patterns, condition):
    out = {'patterns': patterns}
    if condition:
        out['condition'] = condition['key']
        out['condition_text'] = condition['text']
    return out


def parse_modules(cell):
    seen = []
    for name in re.findall(r'`([a-z_]+)`', cell):
        if name in MODULES and name not in seen:
            seen.append(name)
    return seen


VERIFY_SPLIT = re.compile(r';\s*(?=(?:test|probe|attest)\b)')
EXPIRY = re.compile(r'(\d+) months?(\s*\(mamori default\))?')


def parse_verification(cell, line_no, row_id):
    entries = []
    for part in VERIFY_SPLIT.split(cell):
        part = part.strip()
        combo = re.fullmatch(r'(test|probe|attest)((?: \+ (?:test|probe|attest))+)', part)
        if combo:
            for kind in re.findall(r'test|probe|attest', part):
                entries.append({'type': kind, 'text': ''})
            continue
        m = re.fullmatch(r'(test|probe|attest)\b\s*:?\s*(.*)', part, re.S)
        if not m:
            fail(line_no, row_id, f'cannot parse verification clause {part!r}')
        entry = {'type': m.group(1), 'text': m.group(2).strip()}
        if entry['type'] == 'attest':
            em = EXPIRY.search(entry['text'])
            if em:
                entry['expiry_months'] = int(em.group(1))
                if em.group(2):
                    entry['expiry_is_mamori_default'] = True
        entries.append(entry)
    return entries


def expand_ids(cell, line_no, row_id):
    out = []
    for item in (i.strip() for i in cell.split(',')):
        rm = re.fullmatch(r'(GOV|PLAN|SYS|EMG|CHK)-(\d{2})–(GOV|PLAN|SYS|EMG|CHK)-(\d{2})', item)
        if rm:
            if rm.group(1) != rm.group(3) or int(rm.group(2)) > int(rm.group(4)):
                fail(line_no, row_id, f'bad ID range {item!r}')
            out += [f'{rm.group(1)}-{n:02d}' for n in range(int(rm.group(2)), int(rm.group(4)) + 1)]
        elif ID_FULL.fullmatch(item):
            out.append(item)
        else:
            fail(line_no, row_id, f'bad mapped ID {item!r}')
    return out


def checklist_section(heading, line_no, row_id):
    for start, forms, edition in CHECKLIST_SECTIONS:
        if heading.startswith(start):
            return forms, edition
    fail(line_no, row_id, f'CHK row under an unknown checklist heading {heading!r}')


def parse_row(cells, line_no, heading):
    row_id = cells[0]
    m = ID_FULL.fullmatch(row_id)
    if not m:
        fail(line_no, row_id, 'malformed ID')
    prefix = m.group(1)
    want = 8 if prefix == 'CHK' else 7
    if len(cells) != want:
        fail(line_no, row_id, f'{len(cells)} cells, expected {want}')
    chapter, requirement, patterns, kind, mamori, verification = cells[1:7]
    row = {'id': row_id, 'volume': VOLUMES[prefix], 'chapter': chapter,
           'sources': parse_sources(chapter, line_no, row_id)}
    if prefix == 'CHK':
        titles = TITLE.findall(chapter)
        row['title_ja'] = titles[0] if titles else None
        row['text_en'] = requirement
    else:
        tm = re.match(r'^「([^」]+)」\s*(.+)$', requirement, re.S)
        if not tm:
            fail(line_no, row_id, 'requirement does not start with its 「…」 title')
        row['title_ja'], row['text_en'] = tm.group(1), tm.group(2).strip()
    clauses, note = parse_patterns(patterns, line_no, row_id)
    row['patterns_text'] = patterns
    row['patterns'] = clauses
    if note:
        row['patterns_note'] = note
    if kind not in ('technical', 'organisational', 'both'):
        fail(line_no, row_id, f'bad kind {kind!r}')
    row['kind'] = kind
    row['modules'] = parse_modules(mamori)
    row['mamori'] = mamori
    row['verification_text'] = verification
    row['verification'] = (None if verification == 'as in the mapped rows'
                           else parse_verification(verification, line_no, row_id))
    if prefix == 'CHK':
        row['maps_to'] = expand_ids(cells[7], line_no, row_id)
        forms, edition = checklist_section(heading, line_no, row_id)
        row['checklist_forms'] = list(forms)
        if edition:
            row['checklist_edition'] = edition
    return row


def parse_guideline(text):
    rows, seen, heading = [], {}, ''
    for line_no, line in enumerate(text.splitlines(), 1):
        if line.startswith('### '):
            heading = line[4:].strip()
            continue
        cells = split_cells(line)
        if not cells or not ID_CELL.match(cells[0]):
            continue
        row = parse_row(cells, line_no, heading)
        if row['id'] in seen:
            fail(line_no, row['id'], f'duplicate ID (first on line {seen[row["id"]]})')
        seen[row['id']] = line_no
        rows.append(row)
    if not rows:
        raise ParseError('GUIDELINE.md: no requirement rows found')
    return rows


def apply_pharmacy_form(rows):
    """CHK-40: pharmacies answer the items it maps to on the 薬局確認用 form."""
    by_id = {r['id']: r for r in rows}
    for row in rows:
        if row['id'].startswith('CHK') and '薬局確認用' in row.get('checklist_forms', []):
            for target in row['maps_to']:
                forms = by_id[target].setdefault('checklist_forms', [])
                if target.startswith('CHK') and '薬局確認用' not in forms:
                    forms.append('薬局確認用')


def check_references(rows):
    ids = {r['id'] for r in rows}
    for row in rows:
        for target in row.get('maps_to', []):
            if target not in ids:
                raise ParseError(f'{row["id"]}: maps to unknown ID {target}')


def merge_overlay(rows, overlay):
    entries = overlay.get('rows')
    if not isinstance(entries, dict):
        raise ParseError('overlay: missing "rows" object')
    ids = {r['id'] for r in rows}
    for row_id, entry in entries.items():
        if row_id not in ids:
            raise ParseError(f'overlay: {row_id} is not a row of GUIDELINE.md')
        unknown = set(entry) - OVERLAY_KEYS
        if unknown:
            raise ParseError(f'overlay: {row_id}: unknown keys {sorted(unknown)}')
    for row in rows:
        entry = entries.get(row['id'], {})
        if not entry.get('text_ja'):
            raise ParseError(f'overlay: {row["id"]} has no text_ja')
        if row['title_ja'] is None:
            if not entry.get('title_ja'):
                raise ParseError(f'{row["id"]}: no 「…」 title in GUIDELINE and none in overlay')
            row['title_ja'] = entry['title_ja']
        row['text_ja'] = entry['text_ja']
        if row['verification'] is None:
            if 'verification' not in entry:
                raise ParseError(f'{row["id"]}: verification needs an overlay entry')
            row['verification'] = entry['verification']
        row['versions'] = entry.get('versions', overlay['default_versions'])
        if 'version_notes' in entry:
            row['version_notes'] = entry['version_notes']
        row['status'] = entry.get('status', 'active')


KEY_ORDER = ['id', 'volume', 'chapter', 'sources', 'title_ja', 'text_en', 'text_ja',
             'patterns_text', 'patterns', 'patterns_note', 'kind', 'modules', 'mamori',
             'verification_text', 'verification', 'maps_to', 'checklist_forms',
             'checklist_edition', 'versions', 'version_notes', 'status']


def ordered(row):
    missing = set(row) - set(KEY_ORDER)
    assert not missing, missing
    return {k: row[k] for k in KEY_ORDER if k in row}


def build(guideline_text, overlay):
    rows = parse_guideline(guideline_text)
    check_references(rows)
    apply_pharmacy_form(rows)
    merge_overlay(rows, overlay)
    return {
        'format': FORMAT,
        'generated_by': 'scripts/compliance/extract_catalogue.py from shared/GUIDELINE.md '
                        'and src/compliance/data/catalogue_ja.json; do not edit by hand',
        'default_version': overlay['default_version'],
        'guideline_versions': overlay['guideline_versions'],
        'requirements': [ordered(r) for r in rows],
    }


def render(catalogue):
    return json.dumps(catalogue, ensure_ascii=False, indent=2) + '\n'


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--guideline', type=pathlib.Path, default=DEFAULT_GUIDELINE)
    ap.add_argument('--overlay', type=pathlib.Path, default=DEFAULT_OVERLAY)
    ap.add_argument('--out', type=pathlib.Path, default=DEFAULT_OUT)
    ap.add_argument('--check', action='store_true')
    args = ap.parse_args(argv)
    try:
        overlay = json.loads(args.overlay.read_text(encoding='utf-8'))
        text = render(build(args.guideline.read_text(encoding='utf-8'), overlay))
    except (ParseError, OSError, json.JSONDecodeError, KeyError) as e:
        print(f'extract_catalogue: {e}', file=sys.stderr)
        return 1
    if args.check:
        current = args.out.read_text(encoding='utf-8') if args.out.exists() else ''
        if current != text:
            print(f'extract_catalogue: {args.out} is stale; rerun the script', file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding='utf-8')
    n = len(json.loads(text)['requirements'])
    print(f'extract_catalogue: wrote {n} rows to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
