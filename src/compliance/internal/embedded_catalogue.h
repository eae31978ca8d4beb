// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to compliance: include "compliance/catalogue.h" instead.
//
// The bytes of src/compliance/data/catalogue.json, linked into the binary by
// embedded_catalogue.S (assembler .incbin), so an installation assesses
// against the catalogue its code was tested with and reads nothing from the
// source tree. Thread-safe: the bytes are read-only data.

#include <string_view>

namespace mamori::compliance::internal {

// The embedded JSON text; valid for the life of the process.
std::string_view EmbeddedCatalogueJson();

}  // namespace mamori::compliance::internal
