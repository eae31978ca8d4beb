// SPDX-License-Identifier: Apache-2.0
#pragma once

// A test-only ClientStore kept in memory, with the same version rules as
// the database's.

#include <map>
#include <mutex>

#include "auth/oauth.h"

namespace mamori::auth::testing {

class InMemoryClientStore : public ClientStore {
 public:
  core::Result<std::optional<OAuthClient>> Find(std::string_view client_id) override;
  core::Status Save(OAuthClient& client) override;
  core::Result<std::vector<OAuthClient>> List() override;

 private:
  std::mutex mu_;
  std::map<std::string, OAuthClient, std::less<>> clients_;
};

}  // namespace mamori::auth::testing
