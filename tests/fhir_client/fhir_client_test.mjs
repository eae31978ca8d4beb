// SPDX-License-Identifier: Apache-2.0
// Issue 4, "a real client": the npm package fhir-kit-client 2.0.3 drives a running
// mamori over HTTPS and every step asserts what a FHIR R4 server must answer.
//
//   NODE_EXTRA_CA_CERTS=DATA_DIR/tls/ca.pem node fhir_client_test.mjs https://127.0.0.1:PORT/fhir
//
// Normally started by ../fhir_client_test.py (ctest `fhir_kit_client`), which runs
// `mamori init` + `mamori serve` in a temp directory. The client uses Node's global
// fetch, which trusts NODE_EXTRA_CA_CERTS; nothing here turns certificate checks off.
//
// Steps: metadata, create, read, update with If-Match (and a stale If-Match -> 412),
// vread, conditional create (If-None-Exist on identifier), conditional update, history (instance, type with
// paging through nextPage, system), a transaction with urn:uuid references, a batch,
// search (paging through nextPage, 400 on an unknown parameter, POST _search),
// delete and a later read -> 410. The last line is "N passed, M failed"; exit 1 on
// any failure.
import * as fkc from 'fhir-kit-client';
import { randomUUID } from 'node:crypto';

const BASE = process.argv[2] || process.env.MAMORI_FHIR_BASE;
if (!BASE) {
  console.error('usage: node fhir_client_test.mjs https://127.0.0.1:PORT/fhir');
  process.exit(2);
}

let passed = 0;
let failed = 0;
function check(name, condition, detail = '') {
  if (condition) {
    passed += 1;
  } else {
    failed += 1;
    console.log(`FAIL ${name}${detail === '' ? '' : ` -- ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`);
  }
}

// Runs one step; an exception the step did not expect is one failure, and the
// remaining steps still run (each step guards on what the earlier ones produced).
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    const status = e?.response?.status;
    const body = e?.response?.data;
    check(`${name}: unexpected error`, false,
      `${e?.message ?? e}${status ? ` status=${status}` : ''}${body ? ` body=${JSON.stringify(body).slice(0, 400)}` : ''}`);
  }
}

// fhir-kit-client rejects on a non-2xx answer with error.response.{status,data}.
async function expectHttpError(promise) {
  try {
    const value = await promise;
    return { status: fkc.Client.httpFor(value).response?.status ?? 200, data: value, resolved: true };
  } catch (e) {
    if (!e?.response) throw e;
    return { status: e.response.status, data: e.response.data, resolved: false };
  }
}

const meta = (resource) => fkc.Client.httpFor(resource).response;
const statusOf = (resource) => meta(resource)?.status;
const header = (resource, name) => meta(resource)?.headers.get(name) ?? null;
const isOutcome = (data) => data && typeof data === 'object' && data.resourceType === 'OperationOutcome';

// The test physician's bearer token (tests/mamori_server.py logs it in).
const client = new fkc.Client({ baseUrl: BASE, bearerToken: process.env.MAMORI_TOKEN });
const run = randomUUID();
const IDENT_SYSTEM = 'urn:mamori:test:fhir-kit-client';

// ---- metadata ---------------------------------------------------------------
await step('metadata', async () => {
  const cs = await client.capabilityStatement();
  check('metadata is a CapabilityStatement', cs.resourceType === 'CapabilityStatement', cs.resourceType);
  check('metadata fhirVersion 4.0.1', cs.fhirVersion === '4.0.1', cs.fhirVersion);
  const patient = cs.rest?.[0]?.resource?.find((r) => r.type === 'Patient');
  const codes = new Set((patient?.interaction ?? []).map((i) => i.code));
  for (const code of ['create', 'read', 'vread', 'update', 'delete', 'history-instance', 'history-type']) {
    check(`metadata lists Patient ${code}`, codes.has(code), [...codes]);
  }
  const sys = new Set((cs.rest?.[0]?.interaction ?? []).map((i) => i.code));
  for (const code of ['transaction', 'batch', 'history-system']) {
    check(`metadata lists system ${code}`, sys.has(code), [...sys]);
  }
});

// ---- create -----------------------------------------------------------------
const family = `Kitclient${run.slice(0, 8)}`;
const identValue = `mrn-${run}`;
const patientBody = {
  resourceType: 'Patient',
  identifier: [{ system: IDENT_SYSTEM, value: identValue }],
  name: [{ family, given: ['Hanako'] }],
  gender: 'female',
  birthDate: '1980-04-01',
};
let patient = null;
await step('create', async () => {
  patient = await client.create({ resourceType: 'Patient', body: patientBody });
  check('create answers 201', statusOf(patient) === 201, statusOf(patient));
  check('create returns the Patient', patient.resourceType === 'Patient', patient.resourceType);
  check('create assigns an id', typeof patient.id === 'string' && /^[A-Za-z0-9\-.]{1,64}$/.test(patient.id), patient.id);
  check('create sets meta.versionId 1', patient.meta?.versionId === '1', patient.meta);
  check('create sets meta.lastUpdated', typeof patient.meta?.lastUpdated === 'string', patient.meta);
  check('create keeps the name', patient.name?.[0]?.family === family, patient.name);
  check('create ETag W/"1"', header(patient, 'etag') === 'W/"1"', header(patient, 'etag'));
  const location = header(patient, 'location') ?? '';
  check('create Location is .../Patient/<id>/_history/1',
    location.endsWith(`/Patient/${patient.id}/_history/1`), location);
  check('create answers application/fhir+json',
    (header(patient, 'content-type') ?? '').startsWith('application/fhir+json'), header(patient, 'content-type'));
});

// ---- read -------------------------------------------------------------------
await step('read', async () => {
  if (!patient) return check('read: needs the created Patient', false);
  const read = await client.read({ resourceType: 'Patient', id: patient.id });
  check('read answers 200', statusOf(read) === 200, statusOf(read));
  check('read returns the same id', read.id === patient.id, read.id);
  check('read returns version 1', read.meta?.versionId === '1', read.meta);
  check('read returns the stored name', read.name?.[0]?.family === family, read.name);
  check('read returns the identifier', read.identifier?.[0]?.value === identValue, read.identifier);
  check('read ETag W/"1"', header(read, 'etag') === 'W/"1"', header(read, 'etag'));
  check('read has Last-Modified', header(read, 'last-modified') !== null);
  const missing = await expectHttpError(client.read({ resourceType: 'Patient', id: `absent-${run.slice(0, 8)}` }));
  check('read of an unknown id answers 404', missing.status === 404, missing.status);
  check('404 body is an OperationOutcome', isOutcome(missing.data), missing.data);
});

// ---- update with a version check -----------------------------------------------
await step('update', async () => {
  if (!patient) return check('update: needs the created Patient', false);
  const body = { ...patientBody, id: patient.id, name: [{ family: `${family}Updated`, given: ['Hanako'] }] };
  const updated = await client.update({
    resourceType: 'Patient', id: patient.id, body, options: { headers: { 'If-Match': 'W/"1"' } },
  });
  check('update with If-Match W/"1" answers 200', statusOf(updated) === 200, statusOf(updated));
  check('update keeps the id', updated.id === patient.id, updated.id);
  check('update makes version 2', updated.meta?.versionId === '2', updated.meta);
  check('update ETag W/"2"', header(updated, 'etag') === 'W/"2"', header(updated, 'etag'));
  check('update stores the new name', updated.name?.[0]?.family === `${family}Updated`, updated.name);

  const stale = await expectHttpError(client.update({
    resourceType: 'Patient', id: patient.id,
    body: { ...body, name: [{ family: `${family}Lost` }] },
    options: { headers: { 'If-Match': 'W/"1"' } },
  }));
  check('update with a stale If-Match answers 412', stale.status === 412, stale.status);
  check('412 body is an OperationOutcome', isOutcome(stale.data), stale.data);
  const after = await client.read({ resourceType: 'Patient', id: patient.id });
  check('the stale update changed nothing', after.meta?.versionId === '2' &&
    after.name?.[0]?.family === `${family}Updated`, { meta: after.meta, name: after.name });
});

// ---- vread ------------------------------------------------------------------
await step('vread', async () => {
  if (!patient) return check('vread: needs the created Patient', false);
  const v1 = await client.vread({ resourceType: 'Patient', id: patient.id, version: '1' });
  check('vread 1 answers 200', statusOf(v1) === 200, statusOf(v1));
  check('vread 1 returns version 1', v1.meta?.versionId === '1', v1.meta);
  check('vread 1 returns the original name', v1.name?.[0]?.family === family, v1.name);
  check('vread 1 ETag W/"1"', header(v1, 'etag') === 'W/"1"', header(v1, 'etag'));
  const v2 = await client.vread({ resourceType: 'Patient', id: patient.id, version: '2' });
  check('vread 2 returns the updated name', v2.name?.[0]?.family === `${family}Updated`, v2.name);
  const v9 = await expectHttpError(client.vread({ resourceType: 'Patient', id: patient.id, version: '9' }));
  check('vread of a version that does not exist answers 404', v9.status === 404, v9.status);
});

// Type history total, to prove that a conditional create made nothing new.
async function patientHistoryTotal() {
  const bundle = await client.history({ resourceType: 'Patient' });
  return bundle.total;
}

// ---- conditional create (If-None-Exist) ---------------------------------------
await step('conditional create', async () => {
  const condValue = `cond-${run}`;
  const body = {
    resourceType: 'Patient',
    identifier: [{ system: IDENT_SYSTEM, value: condValue }],
    name: [{ family: `${family}Cond` }],
  };
  const ifNoneExist = { 'If-None-Exist': `identifier=${IDENT_SYSTEM}|${condValue}` };
  const first = await client.create({ resourceType: 'Patient', body, options: { headers: ifNoneExist } });
  check('first conditional create answers 201', statusOf(first) === 201, statusOf(first));
  check('first conditional create assigns an id', typeof first.id === 'string', first.id);
  const totalBefore = await patientHistoryTotal();
  const second = await client.create({ resourceType: 'Patient', body, options: { headers: ifNoneExist } });
  check('second conditional create answers 200, not 201', statusOf(second) === 200, statusOf(second));
  check('second conditional create returns the existing id', second.id === first.id, [first.id, second.id]);
  check('second conditional create returns version 1', second.meta?.versionId === '1', second.meta);
  const totalAfter = await patientHistoryTotal();
  check('second conditional create wrote no version', totalAfter === totalBefore, [totalBefore, totalAfter]);
  // The first Patient (created above without a condition) matches too.
  if (patient) {
    const again = await client.create({
      resourceType: 'Patient', body: patientBody,
      options: { headers: { 'If-None-Exist': `identifier=${IDENT_SYSTEM}|${identValue}` } },
    });
    check('conditional create finds a Patient made by a plain create', again.id === patient.id &&
      statusOf(again) === 200, [again.id, statusOf(again)]);
    const byId = await client.create({
      resourceType: 'Patient', body: patientBody,
      options: { headers: { 'If-None-Exist': `_id=${patient.id}` } },
    });
    check('conditional create on _id finds the Patient', byId.id === patient.id && statusOf(byId) === 200,
      [byId.id, statusOf(byId)]);
  }
});

// ---- conditional update (client.update with searchParams) ------------------------
await step('conditional update', async () => {
  const value = `condupd-${run}`;
  const body = {
    resourceType: 'Patient',
    identifier: [{ system: IDENT_SYSTEM, value }],
    name: [{ family: `${family}CondUpd` }],
  };
  const searchParams = { identifier: `${IDENT_SYSTEM}|${value}` };
  const made = await client.update({ resourceType: 'Patient', searchParams, body });
  check('conditional update with no match creates (201)', statusOf(made) === 201, statusOf(made));
  check('conditional update with no match assigns an id', typeof made.id === 'string', made.id);
  const again = await client.update({
    resourceType: 'Patient', searchParams,
    body: { ...body, name: [{ family: `${family}CondUpd2` }] },
  });
  check('conditional update with one match updates it (200)', statusOf(again) === 200, statusOf(again));
  check('conditional update keeps the matched id', again.id === made.id, [made.id, again.id]);
  check('conditional update makes version 2', again.meta?.versionId === '2', again.meta);
});

// ---- history ----------------------------------------------------------------
await step('instance history', async () => {
  if (!patient) return check('instance history: needs the created Patient', false);
  const h = await client.history({ resourceType: 'Patient', id: patient.id });
  check('instance history is a history Bundle', h.resourceType === 'Bundle' && h.type === 'history', h.type);
  check('instance history total is 2', h.total === 2, h.total);
  const versions = (h.entry ?? []).map((e) => e.resource?.meta?.versionId);
  check('instance history lists versions 2, 1 (newest first)', JSON.stringify(versions) === '["2","1"]', versions);
  check('instance history entries carry request.method', h.entry?.[0]?.request?.method === 'PUT' &&
    h.entry?.[1]?.request?.method === 'POST', (h.entry ?? []).map((e) => e.request));
  check('instance history entries carry response.etag', h.entry?.[0]?.response?.etag === 'W/"2"',
    h.entry?.[0]?.response);
});

const made = [];  // the five Patients of the paging steps
await step('type history with paging', async () => {
  for (let i = 0; i < 5; i += 1) {
    const p = await client.create({
      resourceType: 'Patient',
      body: { resourceType: 'Patient', name: [{ family: `${family}Page${i}` }] },
    });
    made.push(p.id);
  }
  const whole = await client.history({ resourceType: 'Patient' });
  check('type history is a history Bundle', whole.resourceType === 'Bundle' && whole.type === 'history', whole.type);
  const ids = new Set((whole.entry ?? []).map((e) => e.resource?.id).filter(Boolean));
  check('type history contains the Patients just made', made.every((id) => ids.has(id)), made);
  check('type history entries are all Patients', (whole.entry ?? []).every(
    (e) => !e.resource || e.resource.resourceType === 'Patient'));

  // fhir-kit-client's history()/typeHistory() take no query parameters, so the
  // first page with _count goes through the client's generic request(); the
  // following pages use the client's own nextPage().
  let page = await client.request('Patient/_history?_count=2');
  const seen = [];
  let pages = 0;
  let biggest = 0;
  while (page && pages < 100) {
    pages += 1;
    biggest = Math.max(biggest, (page.entry ?? []).length);
    for (const e of page.entry ?? []) seen.push(`${e.fullUrl}|${e.response?.etag}`);
    page = await client.nextPage({ bundle: page });
  }
  check('paged type history: no page above _count=2', biggest <= 2, biggest);
  check('paged type history: more than one page', pages > 1, pages);
  check('paged type history: pages add up to total', seen.length === whole.total, [seen.length, whole.total]);
  check('paged type history: no entry twice', new Set(seen).size === seen.length);
});

await step('system history', async () => {
  const h = await client.history();
  const patients = await client.history({ resourceType: 'Patient' });
  check('system history is a history Bundle', h.resourceType === 'Bundle' && h.type === 'history', h.type);
  // Only Patients have been written so far (the server is this test's own).
  check('system history total equals the Patient type history total', typeof h.total === 'number' &&
    h.total === patients.total, [h.total, patients.total]);
});

// ---- transaction with urn:uuid references --------------------------------------
await step('transaction', async () => {
  const patientUrn = `urn:uuid:${randomUUID()}`;
  const obsUrn = `urn:uuid:${randomUUID()}`;
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: patientUrn,
        resource: { resourceType: 'Patient', name: [{ family: `${family}Tx` }] },
        request: { method: 'POST', url: 'Patient' },
      },
      {
        fullUrl: obsUrn,
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
          subject: { reference: patientUrn },
          valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
        },
        request: { method: 'POST', url: 'Observation' },
      },
    ],
  };
  // fhir-kit-client posts transaction and batch Bundles to `[base]/` (its
  // expandUrl('/') keeps the slash), i.e. POST /fhir/ rather than POST /fhir.
  const reply = await client.transaction({ body: bundle });
  check('transaction answers 200', statusOf(reply) === 200, statusOf(reply));
  check('transaction answers a transaction-response Bundle',
    reply.resourceType === 'Bundle' && reply.type === 'transaction-response', reply.type);
  check('transaction-response has one entry per request', reply.entry?.length === 2, reply.entry?.length);
  const [pe, oe] = reply.entry ?? [];
  check('transaction Patient entry 201', String(pe?.response?.status ?? '').startsWith('201'), pe?.response);
  check('transaction Observation entry 201', String(oe?.response?.status ?? '').startsWith('201'), oe?.response);
  const idFrom = (location, type) => new RegExp(`(?:^|/)${type}/([^/]+)/_history/`).exec(location ?? '')?.[1];
  const patientId = idFrom(pe?.response?.location, 'Patient');
  const obsId = idFrom(oe?.response?.location, 'Observation');
  check('transaction Patient location is Patient/<id>/_history/1', !!patientId, pe?.response?.location);
  check('transaction Observation location is Observation/<id>/_history/1', !!obsId, oe?.response?.location);
  if (!patientId || !obsId) return;
  const obs = await client.read({ resourceType: 'Observation', id: obsId });
  check('Observation read back refers to Patient/<new id>',
    obs.subject?.reference === `Patient/${patientId}`, obs.subject);
  const p = await client.read({ resourceType: 'Patient', id: patientId });
  check('transaction Patient reads back', p.name?.[0]?.family === `${family}Tx`, p.name);
  const resolved = await client.resolve({ reference: obs.subject.reference });
  check('client.resolve follows the rewritten reference', resolved.id === patientId, resolved.id);

  // Atomic: one bad entry and nothing of the Bundle is stored.
  const badFamily = `${family}Atomic`;
  const bad = await expectHttpError(client.transaction({
    body: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: badFamily }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', gender: 'not-a-gender' }, request: { method: 'POST', url: 'Patient' } },
      ],
    },
  }));
  check('transaction with an invalid entry is refused (4xx)', !bad.resolved && bad.status >= 400 && bad.status < 500, bad.status);
  check('refused transaction answers an OperationOutcome', isOutcome(bad.data), bad.data);
  const all = await client.request('Patient/_history?_count=1000');
  const leaked = (all.entry ?? []).some((e) => e.resource?.name?.[0]?.family === badFamily);
  check('refused transaction stored nothing', !leaked);
});

// ---- batch --------------------------------------------------------------------
await step('batch', async () => {
  const reply = await client.batch({
    body: {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', name: [{ family: `${family}Batch` }] }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: `Patient/absent-${run.slice(0, 8)}` } },
      ],
    },
  });
  check('batch answers a batch-response Bundle', reply.resourceType === 'Bundle' && reply.type === 'batch-response', reply.type);
  check('batch entry 1 created (201)', String(reply.entry?.[0]?.response?.status ?? '').startsWith('201'), reply.entry?.[0]?.response);
  check('batch entry 2 not found (404) without failing the batch',
    String(reply.entry?.[1]?.response?.status ?? '').startsWith('404'), reply.entry?.[1]?.response);
});

// ---- search (issue 5) with paging through nextPage -----------------------------------
await step('search with paging', async () => {
  // family is a 17-character prefix here: past the index's 12-code-point prefix
  // entries, so this also exercises the recheck after decryption.
  let page = await client.search({ resourceType: 'Patient', searchParams: { family: `${family}Page`, _count: 2 } });
  check('search answers a searchset Bundle', page.resourceType === 'Bundle' && page.type === 'searchset', page.type);
  check('search total counts every match', page.total === 5, page.total);
  const seen = [];
  let pages = 0;
  while (page && pages < 20) {
    pages += 1;
    check('search page holds at most _count=2', (page.entry ?? []).length <= 2, (page.entry ?? []).length);
    for (const e of page.entry ?? []) seen.push(e.resource?.id);
    page = await client.nextPage({ bundle: page });
  }
  check('search pages: three pages of 2, 2, 1', pages === 3, pages);
  check('search pages: exactly the five Patients, none twice',
    seen.length === 5 && made.every((id) => seen.includes(id)), { seen, made });
  const folded = await client.search({ resourceType: 'Patient', searchParams: { family: family.toUpperCase() } });
  check('search is case-insensitive', (folded.entry ?? []).length >= 6, (folded.entry ?? []).length);
  const bad = await expectHttpError(client.search({ resourceType: 'Patient', searchParams: { 'shoe-size': '42' } }));
  check('an unknown search parameter answers 400', bad.status === 400, bad.status);
  check('the 400 names the parameter', isOutcome(bad.data) && JSON.stringify(bad.data).includes('shoe-size'), bad.data);
  const posted = await client.search({
    resourceType: 'Patient', searchParams: { family: `${family}Page` }, options: { postSearch: true },
  });
  check('POST _search finds the same five', (posted.entry ?? []).length === 5, (posted.entry ?? []).length);
  const own = await client.search({
    resourceType: 'Patient', compartment: { resourceType: 'Patient', id: made[0] },
  });
  check('Patient/ID/Patient compartment search finds the patient itself',
    (own.entry ?? []).length === 1 && own.entry[0].resource?.id === made[0], own.entry);
});

// ---- delete, then 410 -------------------------------------------------------------
await step('delete', async () => {
  if (!patient) return check('delete: needs the created Patient', false);
  const gone = await client.delete({ resourceType: 'Patient', id: patient.id });
  const status = statusOf(gone);
  check('delete answers 200 or 204', status === 200 || status === 204, status);
  const read = await expectHttpError(client.read({ resourceType: 'Patient', id: patient.id }));
  check('read after delete answers 410', read.status === 410, read.status);
  check('410 body is an OperationOutcome', isOutcome(read.data), read.data);
  const v2 = await client.vread({ resourceType: 'Patient', id: patient.id, version: '2' });
  check('vread of a version before the delete still works', v2.meta?.versionId === '2', v2.meta);
  const h = await client.history({ resourceType: 'Patient', id: patient.id });
  check('history keeps every version and the delete', h.total === 3 && h.entry?.[0]?.request?.method === 'DELETE',
    { total: h.total, first: h.entry?.[0]?.request });
  const again = await client.delete({ resourceType: 'Patient', id: patient.id });
  const againStatus = statusOf(again);
  check('deleting again is not an error (200 or 204)', againStatus === 200 || againStatus === 204, againStatus);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
