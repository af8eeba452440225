// Sessions of the PKCS#11 keyring: the pool lends distinct sessions and
// makes the extra thread wait; eight threads encrypt and decrypt at once;
// the module finalized under a live keyring gives clear errors, no crash.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "keyring/pkcs11_keyring.h"
#include "keyring/pkcs11_session_pool.h"
#include "pkcs11/softhsm.h"

namespace envelope {
namespace {

using keyring::pkcs11::Pkcs11Keyring;
using keyring::pkcs11::SessionPool;
using testing::SoftHsm;

TEST_CASE("SessionPool: distinct sessions up to the bound, then the next thread waits") {
  auto& hsm = SoftHsm::Get();
  auto slot = hsm.module()->FindToken(testing::kTokenLabel);
  REQUIRE(slot);
  SessionPool pool(hsm.module(), *slot, 3);
  std::vector<keyring::pkcs11::Lease> leases;
  std::set<CK_SESSION_HANDLE> handles;
  for (int i = 0; i < 3; ++i) {
    auto lease = pool.Acquire();
    REQUIRE(lease);
    handles.insert(lease->handle());
    leases.push_back(std::move(*lease));
  }
  CHECK(handles.size() == 3);
  CHECK(pool.open_sessions() == 3);
  std::atomic<bool> got{false};
  CK_SESSION_HANDLE fourth = CK_INVALID_HANDLE;
  std::thread waiter([&] {
    auto lease = pool.Acquire();
    REQUIRE(lease);
    fourth = lease->handle();
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(got.load());  // all three sessions are lent: it must wait
  const CK_SESSION_HANDLE returned = leases.back().handle();
  leases.pop_back();
  waiter.join();
  CHECK(got.load());
  CHECK(fourth == returned);  // it got the returned session, no fourth one
  CHECK(pool.open_sessions() == 3);
}

TEST_CASE("Pkcs11Keyring: 8 threads x 100 messages each, in parallel sessions") {
  auto& hsm = SoftHsm::Get();
  auto keyring = hsm.NewKeyring(testing::kKeyFull, Pkcs11Mechanism::automatic, 4);
  constexpr int kThreads = 8, kMessages = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kMessages; ++i) {
        const std::string text = "thread " + std::to_string(t) + " message " + std::to_string(i);
        const std::vector<uint8_t> plain(text.begin(), text.end());
        EncryptOptions options;
        options.context = {{"thread", std::to_string(t)}};
        auto message = Encrypt(plain, *keyring, options);
        auto result = message ? Decrypt(*message, *keyring) : tl::unexpected(message.error());
        if (!result || result->plaintext != plain) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  const auto& pool = dynamic_cast<const Pkcs11Keyring&>(*keyring).pool();
  CHECK(pool.open_sessions() >= 1);
  CHECK(pool.open_sessions() <= 4);
}

TEST_CASE("Pkcs11Keyring: module finalized mid-run gives clear errors, then recovers anew") {
  auto& hsm = SoftHsm::Get();
  auto keyring = hsm.NewKeyring(testing::kKeyFull);
  const std::vector<uint8_t> plain = {1, 2, 3};
  auto message = Encrypt(plain, *keyring);
  REQUIRE(message);

  // What an unplugged token or a foreign C_Finalize looks like to us.
  REQUIRE(hsm.module()->f()->C_Finalize(nullptr) == CKR_OK);
  auto encrypted = Encrypt(plain, *keyring);
  REQUIRE_FALSE(encrypted);
  CHECK(encrypted.error().code() == ErrorCode::io);
  CHECK(encrypted.error().message().find("module is not initialized") != std::string::npos);
  auto decrypted = Decrypt(*message, *keyring);
  REQUIRE_FALSE(decrypted);
  CHECK(decrypted.error().code() == ErrorCode::io);
  auto fresh = NewPkcs11Keyring(hsm.Options(testing::kKeyFull), hsm.Pin());
  REQUIRE_FALSE(fresh);
  CHECK(fresh.error().message().find("CKR_CRYPTOKI_NOT_INITIALIZED") != std::string::npos);

  // Re-initialized: the old keyring's sessions are gone for good (clear
  // error again), a new keyring works and reads the old message.
  hsm.Reinitialize();
  auto stale = Encrypt(plain, *keyring);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().message().starts_with("pkcs11: "));
  auto renewed = hsm.NewKeyring(testing::kKeyFull);
  auto result = Decrypt(*message, *renewed);
  REQUIRE(result);
  CHECK(result->plaintext == plain);
}

}  // namespace
}  // namespace envelope
