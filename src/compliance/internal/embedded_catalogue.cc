// SPDX-License-Identifier: Apache-2.0

#include "compliance/internal/embedded_catalogue.h"

#include <cstddef>

extern "C" const char mamori_compliance_catalogue_begin[];
extern "C" const char mamori_compliance_catalogue_end[];

namespace mamori::compliance::internal {

std::string_view EmbeddedCatalogueJson() {
  return std::string_view(
      mamori_compliance_catalogue_begin,
      static_cast<size_t>(mamori_compliance_catalogue_end - mamori_compliance_catalogue_begin));
}

}  // namespace mamori::compliance::internal
