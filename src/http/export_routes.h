// SPDX-License-Identifier: Apache-2.0
#pragma once

// Bulk Data export over HTTP (FHIR Bulk Data Access IG v2, issue 5):
//
//   GET    /fhir/$export, /fhir/Patient/$export, /fhir/Group/{id}/$export
//          (Prefer: respond-async) -> 202, Content-Location: the status URL
//   GET    /fhir/$export-status/{job}  -> 202 + X-Progress while it runs,
//                                         200 + the manifest JSON when done
//   DELETE /fhir/$export-status/{job}  -> 202: cancelled and forgotten
//   GET    /fhir/$export-file/{job}/{file} -> 200 application/fhir+ndjson
//
// Who may: AuthGate lets only system clients through, each exported type
// within their scopes (docs/SECURITY.md "Bulk Data export"); a job belongs
// to the client that kicked it off (others get 404). The kick-off's audit
// event names the types; when the job is planned, one more ledger event
// ("export-complete") records who, which types and how many resources of
// each, before the manifest is served (fail closed). Each download is its
// own audited request.
//
//   fhir::ExportJobs jobs(*store, env);
//   MAMORI_RETURN_IF_ERROR(http::RegisterExportRoutes(router, jobs, *store, env));
//
// Borrows everything; thread-safe like ExportJobs.

#include "core/env.h"
#include "core/status.h"
#include "fhir/bulk_export.h"
#include "http/router.h"
#include "store/store.h"

namespace mamori::http {

core::Status RegisterExportRoutes(Router& router, fhir::ExportJobs& jobs, store::Store& store,
                                  core::Env& env);

}  // namespace mamori::http
