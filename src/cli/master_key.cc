// SPDX-License-Identifier: Apache-2.0
#include "cli/master_key.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/command_audit.h"
#include "cli/data_dir.h"
#include "cli/serve_command.h"
#include "core/config.h"
#include "crypto/key_file.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

std::string_view AsText(const crypto::SecureBytes& b) { return crypto::AsStringView(b.span()); }

// Reads one line from the terminal with echo off.
core::Result<crypto::SecureBytes> PromptOnce(const char* prompt) {
  std::fprintf(stderr, "%s: ", prompt);
  std::fflush(stderr);
  termios old_mode{};
  bool tty = tcgetattr(STDIN_FILENO, &old_mode) == 0;
  if (tty) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) tcsetattr(STDIN_FILENO, TCSANOW, &old_mode);
  std::fprintf(stderr, "\n");
  crypto::SecureBytes out(crypto::AsBytes(line));
  std::fill(line.begin(), line.end(), '\0');
  if (out.size() == 0) return core::InvalidArgumentError("the passphrase is empty");
  return out;
}

core::Status RemoveIfPresent(core::FileSystem& fs, const std::string& path) {
  MAMORI_ASSIGN_OR_RETURN(bool exists, fs.Exists(path));
  return exists ? fs.Remove(path) : core::Status::Ok();
}

// Whether `kek` opens the data keys of the database (the store refuses to
// open when its index key does not unwrap).
bool OpensDatabase(const std::string& data_dir, const crypto::AeadKey& kek, core::Env& env) {
  auto db = StoreLocation(data_dir, env.fs());
  if (!db.ok()) return true;
  if (!IsPostgresLocation(*db)) {
    auto exists = env.fs().Exists(*db);
    if (!exists.ok() || !*exists) return true;
  }
  return store::OpenStore({.path = *db, .kek = &kek, .read_connections = 1}, env).ok();
}

}  // namespace

core::Result<std::string> StoreLocation(const std::string& data_dir, core::FileSystem& fs) {
  std::string config_path = core::JoinPath(data_dir, kConfigFile);
  MAMORI_ASSIGN_OR_RETURN(bool has_config, fs.Exists(config_path));
  if (has_config) {
    MAMORI_ASSIGN_OR_RETURN(core::Config config, core::LoadConfig(fs, config_path));
    if (!config.store.url.empty()) return config.store.url;
  }
  return core::JoinPath(data_dir, kDatabaseFile);
}

core::Result<crypto::SecureBytes> ObtainPassphrase(const std::string& flag_file, core::Env& env,
                                                   const char* prompt, bool confirm) {
  if (!flag_file.empty()) return crypto::ReadPassphraseFile(env.fs(), flag_file);
  if (const char* from_env = std::getenv(kPassphraseEnv); from_env != nullptr && *from_env) {
    return crypto::ReadPassphraseFile(env.fs(), from_env);
  }
  if (!isatty(STDIN_FILENO)) {
    return core::InvalidArgumentError(
        "no passphrase for the master key: give --passphrase-file FILE or set " +
        std::string(kPassphraseEnv) + " (a file of mode 0600), or run on a terminal to be asked");
  }
  MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes first, PromptOnce(prompt));
  if (!confirm) return first;
  MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes second, PromptOnce("Repeat it"));
  if (!crypto::ConstantTimeEquals(first.span(), second.span())) {
    return core::InvalidArgumentError("the two passphrases differ; run the command again");
  }
  return first;
}

core::Result<crypto::AeadKey> CreateMasterKey(const std::string& data_dir,
                                              const crypto::SecureBytes& passphrase,
                                              const crypto::Argon2Params& params, core::Env& env) {
  crypto::AeadKey kek = crypto::AeadKey::Generate(env.random());
  MAMORI_ASSIGN_OR_RETURN(std::string file,
                          crypto::SealKeyFile(kek, AsText(passphrase), params, env.random()));
  std::string keys = core::JoinPath(data_dir, kKeysDir);
  MAMORI_ASSIGN_OR_RETURN(bool exists, env.fs().Exists(keys));
  if (!exists) MAMORI_RETURN_IF_ERROR(env.fs().CreateDir(keys, 0700));
  MAMORI_RETURN_IF_ERROR(
      core::WriteFileAtomically(env.fs(), core::JoinPath(data_dir, kMasterKeyFile), file, 0600));
  return kek;
}

core::Result<crypto::AeadKey> UnlockMasterKey(const std::string& data_dir,
                                              const crypto::SecureBytes& passphrase,
                                              core::Env& env) {
  std::string path = core::JoinPath(data_dir, kMasterKeyFile);
  std::string next = core::JoinPath(data_dir, kNextMasterKeyFile);
  core::Result<std::string> file = env.fs().ReadFile(path);
  if (!file.ok()) return file.status().With("reading the master key file");
  core::Result<crypto::AeadKey> kek = crypto::OpenKeyFile(*file, AsText(passphrase));
  MAMORI_ASSIGN_OR_RETURN(bool rotating, env.fs().Exists(next));
  if (rotating) {
    // An interrupted `key rotate`: use whichever key opens the database and
    // finish (or undo) the rotation so the directory has one key file again.
    if (kek.ok() && OpensDatabase(data_dir, *kek, env)) {
      MAMORI_RETURN_IF_ERROR(env.fs().Remove(next));
      return kek;
    }
    MAMORI_ASSIGN_OR_RETURN(std::string next_bytes, env.fs().ReadFile(next));
    core::Result<crypto::AeadKey> next_kek = crypto::OpenKeyFile(next_bytes, AsText(passphrase));
    if (next_kek.ok() && OpensDatabase(data_dir, *next_kek, env)) {
      MAMORI_RETURN_IF_ERROR(env.fs().Rename(next, path));
      MAMORI_RETURN_IF_ERROR(env.fs().SyncDir(core::JoinPath(data_dir, kKeysDir)));
      return next_kek;
    }
  }
  if (!kek.ok() && kek.status().code() == core::StatusCode::kPermissionDenied) {
    return core::PermissionDeniedError(
        "wrong passphrase for the master key file " + path +
        "; nothing is served. Check the passphrase file and try again");
  }
  return kek;
}

core::Status RotateMasterKey(const std::string& data_dir, const crypto::SecureBytes& old_passphrase,
                             const crypto::SecureBytes& new_passphrase,
                             const crypto::Argon2Params& params, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey old_kek, UnlockMasterKey(data_dir, old_passphrase, env));
  crypto::AeadKey new_kek = crypto::AeadKey::Generate(env.random());
  MAMORI_ASSIGN_OR_RETURN(
      std::string file, crypto::SealKeyFile(new_kek, AsText(new_passphrase), params, env.random()));
  std::string next = core::JoinPath(data_dir, kNextMasterKeyFile);
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(), next, file, 0600));
  MAMORI_ASSIGN_OR_RETURN(std::string db, StoreLocation(data_dir, env.fs()));
  core::Status rewrap = store::RewrapDataKeys({.path = db, .kek = &old_kek}, new_kek, env);
  if (!rewrap.ok()) {
    RemoveIfPresent(env.fs(), next).IgnoreError();  // the old key file still opens everything
    return rewrap.With("rotating the master key (nothing changed)");
  }
  MAMORI_RETURN_IF_ERROR(env.fs().Rename(next, core::JoinPath(data_dir, kMasterKeyFile)));
  MAMORI_RETURN_IF_ERROR(env.fs().SyncDir(core::JoinPath(data_dir, kKeysDir)));
  // A key operation is recorded in the ledger (issue 6), under the new key.
  store::StoreOptions options{.path = db, .kek = &new_kek};
  MAMORI_RETURN_IF_ERROR(ExportTreeHeadsAsServeDoes(data_dir, env, options));
  MAMORI_ASSIGN_OR_RETURN(auto store, store::OpenStore(options, env));
  ledger::AuditEvent event = CommandEvent(env, "key-rotate", "mamori key rotate");
  event.detail = "master key replaced; data keys rewrapped";
  return RecordCommandEvent(*store, std::move(event), core::Status::Ok());
}

}  // namespace mamori::cli
