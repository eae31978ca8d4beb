#!/usr/bin/env python3
"""Tests for extract_catalogue.py on a small GUIDELINE written here (issue 9):
good rows parse, and every malformed row, duplicate or missing overlay entry
fails loudly instead of being dropped."""
import json
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import extract_catalogue as ec  # noqa: E402

HEADER = ('| ID | volume / chapter | requirement | patterns | kind | mamori | verification |\n'
          '| --- | --- | --- | --- | --- | --- | --- |\n')
GOV = ('| GOV-01 | 経営 1.1 [T] | 「法令遵守」 Keep within the law. | I–IV | organisational '
       '| attestation form; `compliance` lists laws | attest: statement, 12 months |\n')
PLAN = ('| PLAN-07 | 企画 4.4 [O] | 「マニュアル」 Provide manuals. '
        '| I, III; II, IV unless covered by contract | both | `docs/` | '
        'attest: manuals, 6 months (mamori default); probe: x; y |\n')
CHK = ('### 医療機関確認用 (令和6年度版)\n'
       '| ID | checklist item | requirement | patterns | kind | mamori | verification | maps to |\n'
       '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
       '| CHK-01 | 前提「有無」 [M] | Whether. | I–IV | organisational | `compliance` '
       '| probe + attest | GOV-01, PLAN-07 |\n')
OVERLAY = {
    'default_version': '6.0', 'default_versions': ['6.0', '7.0'],
    'guideline_versions': [{'id': '6.0', 'title': 't', 'published': '2023-05', 'volumes': []}],
    'rows': {'GOV-01': {'text_ja': '法律を守る。'}, 'PLAN-07': {'text_ja': '手引きを用意する。'},
             'CHK-01': {'text_ja': '有無を答える。'}},
}


def build(text, overlay=None):
    return ec.build(text, json.loads(json.dumps(overlay or OVERLAY)))


class ExtractCatalogueTest(unittest.TestCase):
    def test_good_rows_parse(self):
        cat = build(HEADER + GOV + PLAN + CHK)
        rows = {r['id']: r for r in cat['requirements']}
        self.assertEqual(list(rows), ['GOV-01', 'PLAN-07', 'CHK-01'])
        self.assertEqual(rows['GOV-01']['title_ja'], '法令遵守')
        self.assertEqual(rows['GOV-01']['modules'], ['compliance'])
        self.assertEqual(rows['GOV-01']['verification'][0]['expiry_months'], 12)
        plan = rows['PLAN-07']
        self.assertEqual(plan['patterns'][1],
                         {'patterns': ['II', 'IV'], 'condition': 'contract',
                          'condition_text': 'unless covered by contract'})
        self.assertTrue(plan['verification'][0]['expiry_is_mamori_default'])
        self.assertEqual(plan['verification'][1], {'type': 'probe', 'text': 'x; y'})
        chk = rows['CHK-01']
        self.assertEqual([v['type'] for v in chk['verification']], ['probe', 'attest'])
        self.assertEqual(chk['maps_to'], ['GOV-01', 'PLAN-07'])
        self.assertEqual(chk['checklist_forms'], ['医療機関確認用'])

    def test_output_is_deterministic(self):
        text = HEADER + GOV + PLAN + CHK
        self.assertEqual(ec.render(build(text)), ec.render(build(text)))

    def assertFails(self, text, fragment, overlay=None):
        with self.assertRaises(ec.ParseError) as ctx:
            build(text, overlay)
        self.assertIn(fragment, str(ctx.exception))

    def test_malformed_rows_fail_loudly(self):
        self.assertFails(HEADER + GOV.replace(' | I–IV |', ' |'), '6 cells, expected 7')
        self.assertFails(HEADER + GOV.replace('GOV-01', 'GOV-1'), 'malformed ID')
        self.assertFails(HEADER + GOV.replace('[T]', ''), 'no source marker')
        self.assertFails(HEADER + GOV.replace('I–IV', 'I–V'), "unknown pattern condition '–V'")
        self.assertFails(HEADER + GOV.replace('I–IV', 'I–IV when it rains'), 'unknown pattern condition')
        self.assertFails(HEADER + GOV.replace('organisational', 'social'), 'bad kind')
        self.assertFails(HEADER + GOV.replace('「法令遵守」 ', ''), 'does not start with')
        self.assertFails(HEADER + GOV.replace('attest: statement', 'ask: statement'),
                         'cannot parse verification')
        self.assertFails(HEADER + GOV + GOV, 'duplicate ID')
        self.assertFails(HEADER + GOV + PLAN + CHK.replace('PLAN-07 |', 'PLAN-08 |'),
                         'maps to unknown ID PLAN-08')
        self.assertFails('no tables here\n', 'no requirement rows')

    def test_overlay_is_checked(self):
        overlay = json.loads(json.dumps(OVERLAY))
        del overlay['rows']['PLAN-07']
        self.assertFails(HEADER + GOV + PLAN + CHK, 'PLAN-07 has no text_ja', overlay)
        overlay = json.loads(json.dumps(OVERLAY))
        overlay['rows']['SYS-01'] = {'text_ja': 'x'}
        self.assertFails(HEADER + GOV + PLAN + CHK, 'SYS-01 is not a row', overlay)
        overlay = json.loads(json.dumps(OVERLAY))
        overlay['rows']['GOV-01']['txt_ja'] = 'x'
        self.assertFails(HEADER + GOV + PLAN + CHK, "unknown keys ['txt_ja']", overlay)


if __name__ == '__main__':
    unittest.main()
