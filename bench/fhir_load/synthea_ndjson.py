#!/usr/bin/env python3
"""Writes the Synthea bundles of shared/data as NDJSON, COPIES times with distinct ids
(references rewritten to Type/id), for the import benchmark:
    synthea_ndjson.py COPIES OUT.ndjson
"""
import glob, json, sys
copies = int(sys.argv[1]); out = open(sys.argv[2], 'w'); n = 0
bundles = [json.load(open(f)) for f in sorted(glob.glob('/work/shared/data/fhir/synthea/*.json'))]
def rewrite(node, m):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == 'reference' and isinstance(v, str) and v in m: node[k] = m[v]
            else: rewrite(v, m)
    elif isinstance(node, list):
        for x in node: rewrite(x, m)
for c in range(copies):
    for b in bundles:
        m = {}
        for e in b['entry']:
            r = e['resource']; rid = e['fullUrl'].split(':')[-1][:28] + '-%04d' % c
            m[e['fullUrl']] = r['resourceType'] + '/' + rid
        for e in b['entry']:
            r = json.loads(json.dumps(e['resource'])); r['id'] = m[e['fullUrl']].split('/')[1]
            rewrite(r, m); out.write(json.dumps(r, separators=(',', ':')) + '\n'); n += 1
print(n, 'resources')
