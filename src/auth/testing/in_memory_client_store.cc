// SPDX-License-Identifier: Apache-2.0
#include "auth/testing/in_memory_client_store.h"

namespace mamori::auth::testing {

core::Result<std::optional<OAuthClient>> InMemoryClientStore::Find(std::string_view client_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client_id);
  if (it == clients_.end()) return std::optional<OAuthClient>();
  return std::optional<OAuthClient>(it->second);
}

core::Status InMemoryClientStore::Save(OAuthClient& client) {
  MAMORI_RETURN_IF_ERROR(ValidateClient(client));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client.client_id);
  int64_t stored = it == clients_.end() ? 0 : it->second.version;
  if (stored != client.version) {
    return it == clients_.end() || client.version == 0
               ? core::AlreadyExistsError("client id is taken")
               : core::AbortedError("client was changed concurrently");
  }
  client.version = stored + 1;
  clients_[client.client_id] = client;
  return core::Status::Ok();
}

core::Result<std::vector<OAuthClient>> InMemoryClientStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OAuthClient> out;
  for (const auto& [id, c] : clients_) out.push_back(c);
  return out;
}

}  // namespace mamori::auth::testing
