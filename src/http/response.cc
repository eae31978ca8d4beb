// SPDX-License-Identifier: Apache-2.0
#include "http/response.h"

#include <utility>

namespace mamori::http {

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response Response::FhirJson(int status, std::string body) {
  Response r = Json(status, std::move(body));
  r.content_type = "application/fhir+json";
  return r;
}

Response Response::Empty(int status) {
  Response r;
  r.status = status;
  return r;
}

}  // namespace mamori::http
