// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/definitions.h" instead.
//
// The bytes of src/fhir/data/r4_definitions.json, linked into the binary by
// embedded_definitions.S (assembler .incbin) so that nothing is read from the
// source tree at run time. Thread-safe: the bytes are read-only data.

#include <string_view>

namespace mamori::fhir::internal {

// The embedded JSON text; valid for the life of the process.
std::string_view EmbeddedR4DefinitionsJson();

}  // namespace mamori::fhir::internal
