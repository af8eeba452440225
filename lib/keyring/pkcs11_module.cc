#include "keyring/pkcs11_module.h"

#include <dlfcn.h>

#include <filesystem>
#include <map>
#include <mutex>

#include "crypto/digest.h"

namespace envelope::keyring::pkcs11 {
namespace {

// Registry maps a module's canonical path to the live Module, so every
// keyring of the process shares one initialization.
struct Registry {
  std::mutex mu;
  std::map<std::string, std::weak_ptr<Module>> modules;
};

Registry& TheRegistry() {
  static Registry* registry = new Registry;  // never destroyed: used by ~Module
  return *registry;
}

bool HasMechanism(CK_FUNCTION_LIST* f, CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_FLAGS needed) {
  CK_MECHANISM_INFO info{};
  return f->C_GetMechanismInfo(slot, type, &info) == CKR_OK && (info.flags & needed) == needed;
}

}  // namespace

Result<std::shared_ptr<Module>> Module::Load(std::string_view path_view) {
  if (path_view.empty()) {
    return MakeError(ErrorCode::invalid_argument, "pkcs11: no module path given");
  }
  std::string path(path_view);
  std::error_code ec;
  auto canonical = std::filesystem::canonical(path, ec);
  if (ec) {
    return MakeError(ErrorCode::io, "pkcs11: cannot load module '" + path + "': " + ec.message() +
                                        " (is it installed? SoftHSM2: apt-get install softhsm2)");
  }
  const std::string key = canonical.string();
  Registry& registry = TheRegistry();
  std::lock_guard lock(registry.mu);
  if (auto it = registry.modules.find(key); it != registry.modules.end()) {
    if (auto live = it->second.lock()) return live;
  }
  void* handle = dlopen(key.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return MakeError(ErrorCode::io,
                     "pkcs11: cannot load module '" + path + "': " + (why ? why : "dlopen failed"));
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
  CK_FUNCTION_LIST* functions = nullptr;
  if (get_list == nullptr || get_list(&functions) != CKR_OK || functions == nullptr) {
    dlclose(handle);
    return MakeError(ErrorCode::io, "pkcs11: '" + path +
                                        "' is not a PKCS#11 module (no usable C_GetFunctionList)");
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  const CK_RV rv = functions->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    dlclose(handle);
    return RvError("cannot initialize module '" + path + "'", rv);
  }
  // Already initialized: someone else in the process owns the module's
  // lifetime, so we must not finalize it under them.
  std::shared_ptr<Module> module(new Module(key, handle, functions, rv == CKR_OK));
  registry.modules[key] = module;
  return module;
}

Module::~Module() {
  // Declared before the lock so it is released after it: dropping the last
  // reference to a successor runs its destructor, which takes the lock.
  std::shared_ptr<Module> successor;
  Registry& registry = TheRegistry();
  std::lock_guard lock(registry.mu);
  auto it = registry.modules.find(path_);
  if (it != registry.modules.end()) successor = it->second.lock();
  if (successor) {
    // Loaded again between our last release and this destructor: it found
    // the module initialized, so the duty to finalize passes to it.
    successor->finalize_ = successor->finalize_ || finalize_;
  } else {
    if (it != registry.modules.end()) registry.modules.erase(it);
    // The result is ignored: after a removal or a foreign C_Finalize there
    // is nothing left to release, and a destructor cannot report.
    if (finalize_) (void)functions_->C_Finalize(nullptr);
  }
  dlclose(handle_);
}

Result<std::vector<Pkcs11TokenInfo>> Module::Tokens() const {
  CK_ULONG count = 0;
  if (CK_RV rv = functions_->C_GetSlotList(CK_TRUE, nullptr, &count); rv != CKR_OK) {
    return RvError("cannot list slots", rv);
  }
  std::vector<CK_SLOT_ID> slots(count);
  if (count > 0) {
    if (CK_RV rv = functions_->C_GetSlotList(CK_TRUE, slots.data(), &count); rv != CKR_OK) {
      return RvError("cannot list slots", rv);
    }
    slots.resize(count);
  }
  std::vector<Pkcs11TokenInfo> tokens;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    CK_RV rv = functions_->C_GetTokenInfo(slot, &info);
    if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_TOKEN_NOT_RECOGNIZED) continue;
    if (rv != CKR_OK) return RvError("cannot read token information", rv);
    Pkcs11TokenInfo t;
    t.slot_id = slot;
    t.label = Label(info.label, sizeof info.label);
    t.manufacturer = Label(info.manufacturerID, sizeof info.manufacturerID);
    t.model = Label(info.model, sizeof info.model);
    t.serial = Label(info.serialNumber, sizeof info.serialNumber);
    t.initialized = (info.flags & CKF_TOKEN_INITIALIZED) != 0;
    t.login_required = (info.flags & CKF_LOGIN_REQUIRED) != 0;
    t.supports_aes_gcm = HasMechanism(functions_, slot, CKM_AES_GCM, CKF_ENCRYPT | CKF_DECRYPT);
    t.supports_aes_key_wrap_pad =
        HasMechanism(functions_, slot, CKM_AES_KEY_WRAP_PAD, CKF_WRAP | CKF_UNWRAP);
    tokens.push_back(std::move(t));
  }
  return tokens;
}

Result<CK_SLOT_ID> Module::FindToken(std::string_view label) const {
  auto tokens = Tokens();
  ENVELOPE_RETURN_IF_ERROR(tokens);
  std::optional<CK_SLOT_ID> found;
  std::string present;
  for (const Pkcs11TokenInfo& t : *tokens) {
    if (!t.initialized) continue;
    present += (present.empty() ? "'" : ", '") + t.label + "'";
    if (t.label != label) continue;
    if (found) {
      return MakeError(
          ErrorCode::invalid_argument,
          "pkcs11: several tokens are labelled '" + std::string(label) + "'; relabel one of them");
    }
    found = t.slot_id;
  }
  if (!found) {
    return MakeError(ErrorCode::not_found,
                     "pkcs11: no token labelled '" + std::string(label) + "' in module '" + path_ +
                         "' (tokens present: " + (present.empty() ? "none" : present) + ")");
  }
  return *found;
}

}  // namespace envelope::keyring::pkcs11

namespace envelope::keyring::pkcs11 {

Result<bool> Module::LoginMatches(CK_SLOT_ID slot, const SecretBytes& pin, bool fresh) {
  std::lock_guard lock(login_mu_);
  if (!tag_key_) {
    auto key = SecretBytes::Random(32);
    ENVELOPE_RETURN_IF_ERROR(key);
    tag_key_ = std::move(*key);
  }
  std::vector<uint8_t> tag(crypto::DigestSize(crypto::HashAlg::sha256));
  ENVELOPE_RETURN_IF_ERROR(
      crypto::Hmac(crypto::HashAlg::sha256, tag_key_->span(), pin.span(), tag));
  if (fresh) {
    login_tags_[slot] = std::move(tag);
    return true;
  }
  auto it = login_tags_.find(slot);
  return it == login_tags_.end() || ConstantTimeEqual(it->second, tag);
}

}  // namespace envelope::keyring::pkcs11
