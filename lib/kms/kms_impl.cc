#include "kms/kms_impl.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "crypto/digest.h"
#include "crypto/password_hash.h"
#include "crypto/random.h"
#include "kms/audit_chain.h"
#include "kms/root_key.h"

namespace envelope::kms {

using internal::RootKeyMode;

TimePoint Kms::Impl::Now() const {
  return options.clock ? options.clock() : std::chrono::system_clock::now();
}

Result<void> Kms::Impl::Load() {
  const std::string& path = keystore_path;
  // The common case: nobody wrote the file since we read it, which a stat
  // tells without reading and hashing it (the pinned inode cannot have been
  // reused by a newer file).
  auto stamp = internal::StampOf(path);
  ENVELOPE_RETURN_IF_ERROR(stamp);
  if (state && pinned.valid() && stamp->has_value() && **stamp == pinned.stamp()) return {};
  std::vector<uint8_t> file;
  auto read = internal::PinnedFile::Read(path, internal::kKeystoreMaxFile, file);
  ENVELOPE_RETURN_IF_ERROR(read);
  if (!read->has_value()) {
    state.reset();
    pinned = {};
    return MakeError(ErrorCode::not_found, "keystore file " + path + " is missing");
  }
  auto digest = crypto::Hash(crypto::HashAlg::sha256, file);
  ENVELOPE_RETURN_IF_ERROR(digest);
  if (state && *digest == state_digest) {
    pinned = std::move(**read);
    return {};
  }
  auto h = internal::ParseKeystoreHeader(file);
  if (!h) return tl::unexpected(h.error().WithContext(path));
  const bool want_passphrase = options.root_key.kind != RootKeySource::Kind::managed_file;
  if (h->mode == RootKeyMode::passphrase && !want_passphrase) {
    return MakeError(ErrorCode::invalid_argument,
                     path +
                         " is protected by a passphrase; hint: give it from a file, a "
                         "descriptor or an environment variable");
  }
  if (h->mode == RootKeyMode::managed && want_passphrase) {
    return MakeError(ErrorCode::invalid_argument,
                     path + " is protected by a root key file, not a passphrase");
  }
  if (h->mode == RootKeyMode::managed && root_key.empty()) {
    auto key = internal::LoadManagedRootKey(internal::RootKeyPath(options.root_key, dir));
    ENVELOPE_RETURN_IF_ERROR(key);
    root_key = std::move(*key);
  }
  if (h->mode == RootKeyMode::passphrase &&
      (root_key.empty() || h->salt != header.salt || h->argon2id.ops != header.argon2id.ops ||
       h->argon2id.mem_kib != header.argon2id.mem_kib)) {
    if (passphrase.empty()) {
      auto pw = internal::ReadPassphrase(options.root_key);
      ENVELOPE_RETURN_IF_ERROR(pw);
      passphrase = std::move(*pw);
    }
    auto key = internal::DerivePassphraseRootKey(passphrase, *h);
    ENVELOPE_RETURN_IF_ERROR(key);
    root_key = std::move(*key);
  }
  auto payload = internal::OpenKeystore(file, root_key);
  if (!payload) return tl::unexpected(payload.error().WithContext(path));
  auto decoded = internal::DecodePayload(payload->span());
  if (!decoded) return tl::unexpected(decoded.error().WithContext(path));
  header = *h;
  state = std::move(*decoded);
  state_digest = std::move(*digest);
  pinned = std::move(**read);
  return {};
}

Result<void> Kms::Impl::Commit() {
  ++state->generation;
  auto payload = internal::EncodePayload(*state);
  ENVELOPE_RETURN_IF_ERROR(payload);
  auto file = internal::SealKeystore(header, root_key, payload->span());
  ENVELOPE_RETURN_IF_ERROR(file);
  pinned = {};
  if (auto w = internal::WriteFileAtomically(dir, kKeystoreFileName, *file); !w) return w;
  auto digest = crypto::Hash(crypto::HashAlg::sha256, *file);
  ENVELOPE_RETURN_IF_ERROR(digest);
  state_digest = std::move(*digest);
  // Pin what we wrote (the lock is held: nobody else can have replaced it,
  // so it need not be read back), and the next operation needs only a stat.
  // A pin that fails only costs that operation a full read.
  if (auto again = internal::PinnedFile::Open(dir + "/" + kKeystoreFileName);
      again && again->has_value()) {
    pinned = std::move(**again);
  }
  return {};
}

Result<internal::FileLock> Kms::Impl::LockKeystore() {
  if (!lock_file) {
    auto opened = internal::LockFile::Open(dir + "/keystore.lock");
    ENVELOPE_RETURN_IF_ERROR(opened);
    lock_file.emplace(std::move(*opened));
  }
  return lock_file->Lock();
}

Result<void> Kms::Impl::Create() {
  header = internal::KeystoreHeader{};
  if (options.root_key.kind == RootKeySource::Kind::managed_file) {
    const std::string path = internal::RootKeyPath(options.root_key, dir);
    // A root key file without a keystore (restored from backup, or a crash
    // between the two writes) is reused, never replaced.
    auto key = internal::LoadManagedRootKey(path);
    if (!key && key.error().code() == ErrorCode::not_found) {
      key = internal::CreateManagedRootKey(path);
    }
    ENVELOPE_RETURN_IF_ERROR(key);
    root_key = std::move(*key);
  } else {
    header.mode = RootKeyMode::passphrase;
    header.argon2id = {options.argon2id.passes, options.argon2id.memory_kib};
    if (auto ok = crypto::ValidateArgon2idParams(header.argon2id); !ok) return ok;
    if (auto r = crypto::RandomBytes(header.salt); !r) return r;
    auto pw = internal::ReadPassphrase(options.root_key);
    ENVELOPE_RETURN_IF_ERROR(pw);
    passphrase = std::move(*pw);
    auto key = internal::DerivePassphraseRootKey(passphrase, header);
    ENVELOPE_RETURN_IF_ERROR(key);
    root_key = std::move(*key);
  }
  state.emplace();
  if (auto c = Commit(); !c) {
    state.reset();
    return c;
  }
  const internal::AuditEvent created{
      Now(), "CreateKeystore",
      {},    0,
      {},    {{"root_key", header.mode == RootKeyMode::managed ? "managed" : "passphrase"}},
      {}};
  return internal::AppendAuditEvents(dir, {&created, 1}, options.audit_log_rotate_bytes);
}

Txn Kms::Impl::BeginTxn(std::string_view operation, TimePoint now) {
  Txn txn{*state, now, internal::ToMs(now)};
  txn.options = &options;
  txn.event.region = options.region;
  txn.event.account = options.account;
  txn.event.partition = options.partition;
  txn.event.time = now;
  txn.event.operation = std::string(operation);
  internal::AttachCaller(txn.event);
  return txn;
}

void Kms::Impl::CollectEvents(Txn& txn, const Error* body_error,
                              std::vector<internal::AuditEvent>& events) {
  for (auto& e : txn.extra) events.push_back(std::move(e));
  if (!txn.event.operation.empty()) {
    if (body_error != nullptr) txn.event.error = *body_error;
    events.push_back(std::move(txn.event));
  }
  for (auto& e : events) {
    if (e.account.empty()) {  // maintenance and DefaultKey's lines
      e.partition = options.partition;
      e.region = options.region;
      e.account = options.account;
    }
  }
}

bool Kms::Impl::FreshForReading(int64_t now_ms) const {
  if (!state || !pinned.valid() || stale.load() || now_ms >= next_maintenance_ms) return false;
  auto stamp = internal::StampOf(keystore_path);
  return stamp && stamp->has_value() && **stamp == pinned.stamp();
}

Result<void> Kms::Impl::AppendAfterUnlock(std::vector<internal::AuditEvent>& events) {
  // Under a ScopedAuditDeferral the caller waits for the lines instead.
  if (internal::DeferAudit(audit, dir, events)) return {};
  if (auto a = audit.Append(dir, std::move(events)); !a) {
    return tl::unexpected(a.error().WithContext("audit log (the operation itself was done)"));
  }
  return {};
}

Result<void> Kms::Impl::Finish(Txn& txn, bool body_ok, bool maintenance_dirty,
                               std::vector<internal::AuditEvent>& events, const Error* body_error) {
  if (!body_ok && txn.dirty) {
    // Should not happen (bodies validate first); never commit half an
    // operation: forget the state, the next call reloads the file.
    state.reset();
    return MakeError(ErrorCode::internal, "kms: a failed operation changed the keystore state");
  }
  if (maintenance_dirty || txn.dirty) {
    if (auto c = Commit(); !c) {
      state.reset();
      return c;
    }
  }
  CollectEvents(txn, body_error, events);
  if (!maintenance_dirty && !txn.dirty) return {};  // group commit, after the lock
  // A change to the keystore is logged under the same lock, so its lines
  // and the file's generations appear in the same order.
  auto a = internal::AppendAuditEvents(dir, events, options.audit_log_rotate_bytes);
  events.clear();
  if (!a) return tl::unexpected(a.error().WithContext("audit log (the operation itself was done)"));
  return {};
}

// ---- public entry points that are not key operations ----

std::string_view KeyStateName(KeyState s) noexcept {
  switch (s) {
    case KeyState::enabled:
      return "Enabled";
    case KeyState::disabled:
      return "Disabled";
    case KeyState::pending_deletion:
      return "PendingDeletion";
  }
  return "Unknown";
}

RootKeySource RootKeySource::Managed(std::string root_key_path) {
  return {Kind::managed_file, std::move(root_key_path), -1, {}};
}
RootKeySource RootKeySource::PassphraseFile(std::string file) {
  return {Kind::passphrase_file, std::move(file), -1, {}};
}
RootKeySource RootKeySource::PassphraseFd(int fd) { return {Kind::passphrase_fd, {}, fd, {}}; }
RootKeySource RootKeySource::PassphraseEnv(std::string name) {
  return {Kind::passphrase_env, {}, -1, std::move(name)};
}

Result<std::string> DefaultKeystoreDirectory() {
  if (const char* home = std::getenv("ENVELOPE_HOME"); home != nullptr && *home != '\0') {
    return std::string(home);
  }
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && xdg[0] == '/') {
    return std::string(xdg) + "/envelope";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    const passwd* pw = getpwuid(getuid());
    home = pw != nullptr ? pw->pw_dir : nullptr;
  }
  if (home == nullptr || *home == '\0') {
    return MakeError(ErrorCode::not_found,
                     "no keystore folder: set ENVELOPE_HOME, XDG_DATA_HOME or HOME");
  }
  return std::string(home) + "/.local/share/envelope";
}

Kms::Kms(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Kms::Kms(Kms&& other) noexcept = default;
Kms& Kms::operator=(Kms&& other) noexcept = default;
Kms::~Kms() = default;

const std::string& Kms::directory() const noexcept { return impl_->dir; }

Result<Kms> Kms::Open(KmsOptions options) {
  auto impl = std::make_unique<Impl>(options.audit_log_rotate_bytes);
  if (options.directory.empty()) {
    auto dir = DefaultKeystoreDirectory();
    ENVELOPE_RETURN_IF_ERROR(dir);
    options.directory = *dir;
  }
  impl->dir = options.directory;
  impl->keystore_path = impl->dir + "/" + kKeystoreFileName;
  impl->options = std::move(options);
  ENVELOPE_RETURN_IF_ERROR(
      internal::EnsurePrivateDirectory(impl->dir, impl->options.create_if_missing));
  {
    auto lock = internal::FileLock::Acquire(impl->dir + "/keystore.lock");
    ENVELOPE_RETURN_IF_ERROR(lock);
    internal::RemoveStaleTemporaries(impl->dir, kKeystoreFileName);
    auto loaded = impl->Load();
    if (!loaded && loaded.error().code() == ErrorCode::not_found && !impl->state &&
        !std::filesystem::exists(impl->dir + "/" + kKeystoreFileName)) {
      if (!impl->options.create_if_missing) return tl::unexpected(loaded.error());
      loaded = impl->Create();
    }
    ENVELOPE_RETURN_IF_ERROR(loaded);
  }
  // Automatic rotations and deletions that fell due while no one looked.
  if (auto r = impl->Run("", [](Txn&) -> Result<void> { return {}; }); !r) {
    return tl::unexpected(r.error());
  }
  return Kms(std::move(impl));
}

Result<AuditReport> Kms::VerifyAuditLog() {
  std::unique_lock<std::shared_mutex> guard(impl_->mu);
  auto lock = internal::FileLock::Acquire(impl_->dir + "/keystore.lock");
  ENVELOPE_RETURN_IF_ERROR(lock);
  return internal::VerifyAuditLog(impl_->dir);
}

Result<std::vector<std::string>> Kms::AuditLogFiles() {
  ENVELOPE_ASSIGN_OR_RETURN(auto files, internal::AuditLogFiles(impl_->dir));
  std::vector<std::string> paths;
  for (auto& f : files) paths.push_back(std::move(f.path));
  return paths;
}

}  // namespace envelope::kms
