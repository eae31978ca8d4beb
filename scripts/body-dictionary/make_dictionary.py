#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates the zstd dictionary that compresses stored resource bodies
(src/store/SCHEMA.md "Body encoding", codec 0x02), from data in this repository only:
synthetic resources built from the R4 definitions (src/fhir/data/r4_definitions.json:
element names, types, required codes), shaped as the store writes them (resourceType,
id and meta first). No real or benchmark data goes in, so the dictionary flatters no
benchmark and holds nothing about anyone.

    scripts/body-dictionary/make_dictionary.py [OUT] [--check]

OUT defaults to src/store/internal/body_dictionary_1.zdict. A dictionary, once used to
write data, is part of the on-disk format forever: never regenerate it in place (a
different zstd or Python version may give other bytes, and BodyCodecTest pins its hash).
A new dictionary takes a new codec byte and a new dictionary id.
"""
import json, os, random, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFS = os.path.join(REPO, 'src/fhir/data/r4_definitions.json')
OUT = os.path.join(REPO, 'src/store/internal/body_dictionary_1.zdict')
DICT_ID = 1          # the frame's Dictionary_ID; the codec byte for it is 0x02
DICT_SIZE = 16384    # 16 KiB did as well as 32 and 64 KiB (docs/PERFORMANCE.md)
SAMPLES = 3000
SEED = 7


def primitive(t, rnd):
    if t == 'boolean':
        return rnd.choice([True, False])
    if t in ('integer', 'positiveInt', 'unsignedInt'):
        return rnd.randint(0, 100)
    if t == 'decimal':
        return round(rnd.random() * 100, 2)
    if t == 'date':
        return '%04d-%02d-%02d' % (rnd.randint(1930, 2026), rnd.randint(1, 12), rnd.randint(1, 28))
    if t in ('dateTime', 'instant'):
        return '%04d-%02d-%02dT%02d:%02d:%02d+09:00' % (
            rnd.randint(1930, 2026), rnd.randint(1, 12), rnd.randint(1, 28),
            rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59))
    if t in ('uri', 'url', 'canonical'):
        return 'http://example.org/fhir/' + rnd.choice(['a', 'b', 'c'])
    if t == 'time':
        return '%02d:%02d:00' % (rnd.randint(0, 23), rnd.randint(0, 59))
    return 'text'


def instance(defs, type_name, rnd, depth=0, prefix=None):
    """A random instance of `type_name` (or of its backbone element `prefix`)."""
    t = defs['types'].get(type_name)
    if t is None or depth > 3:
        return primitive(type_name, rnd)
    out = {}
    for path, e in t['elements'].items():
        if prefix is None:
            if '.' in path:
                continue
            name = path
        else:
            if not path.startswith(prefix + '.') or '.' in path[len(prefix) + 1:]:
                continue
            name = path[len(prefix) + 1:]
        if name in ('extension', 'modifierExtension', 'contained', 'id', 'text') and rnd.random() < 0.9:
            continue
        if e.get('min', 0) == 0 and rnd.random() < 0.6:
            continue
        ty = rnd.choice(e.get('type', ['string']))
        if name.endswith('[x]'):
            name = name[:-3] + ty[0].upper() + ty[1:]
        if ty == 'BackboneElement':
            value = instance(defs, type_name, rnd, depth + 1, (prefix + '.' if prefix else '') + name)
        elif ty == 'Reference':
            value = {'reference': rnd.choice(e.get('targets', ['Patient'])) + '/' +
                     '%08x-%04x-%04x' % (rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16))}
        elif ty == 'code' and e.get('binding') in defs['valueSets']:
            value = rnd.choice(defs['valueSets'][e['binding']])
        elif ty in defs['types']:
            value = instance(defs, ty, rnd, depth + 1)
        else:
            value = primitive(ty, rnd)
        out[name] = [value] if e.get('max') == '*' else value
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    out = args[0] if args else OUT
    defs = json.load(open(DEFS))
    rnd = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(SAMPLES):
            rt = rnd.choice(defs['supportedResourceTypes'])
            body = instance(defs, rt, rnd)
            stamped = {'resourceType': rt,
                       'id': '%08x-%04x-%04x' % (rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16)),
                       'meta': {'versionId': str(rnd.randint(1, 3)),
                                'lastUpdated': '2026-%02d-%02dT%02d:%02d:%02d.%06dZ' % (
                                    rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23),
                                    rnd.randint(0, 59), rnd.randint(0, 59), rnd.randint(0, 999999))}}
            for k, v in (body.items() if isinstance(body, dict) else []):
                if k not in stamped:
                    stamped[k] = v
            with open(os.path.join(tmp, '%05d.json' % i), 'w') as f:
                f.write(json.dumps(stamped, separators=(',', ':'), ensure_ascii=False))
        subprocess.run(['zstd', '-q', '-f', '--train', '-r', tmp, '-o', out,
                        '--maxdict=%d' % DICT_SIZE, '--dictID=%d' % DICT_ID], check=True)
    print('wrote', out, os.path.getsize(out), 'bytes')


if __name__ == '__main__':
    main()
