// SPDX-License-Identifier: Apache-2.0
#pragma once

// The FHIR REST routes under /fhir: maps http::Request to fhir::RestApi and
// its RestResponse back, so the route table lists every FHIR interaction
// (tests walk it). The FHIR logic itself lives in fhir/rest_api.h.
//
//   fhir::RestApi api(*store, env);
//   MAMORI_RETURN_IF_ERROR(http::RegisterFhirRoutes(router, api));

#include "core/status.h"
#include "fhir/rest_api.h"
#include "http/request.h"
#include "http/router.h"

namespace mamori::http {

// Registers GET /fhir/metadata, POST /fhir (transaction, batch), the history
// routes, and create/read/vread/update/delete per type. `api` is borrowed.
core::Status RegisterFhirRoutes(Router& router, fhir::RestApi& api);

// The parts of a Request the FHIR API reads (exposed for tests).
fhir::RestRequest ToRestRequest(const Request& request);
Response ToResponse(fhir::RestResponse response);

}  // namespace mamori::http
