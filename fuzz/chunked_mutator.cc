// fuzz: the structure-aware C2SP chunked mutator (chunked_mutator.h).
#include "chunked_mutator.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <random>
#include <vector>

#include "crypto/aes_gcm.h"
#include "stream/c2sp_schedule.h"

// libFuzzer's byte mutator; weak, so builds with another engine (or the
// replay main) link, and the mutator then only does its own changes.
extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size)
    __attribute__((weak));

namespace envelope::fuzz {
namespace {

using Bytes = std::vector<uint8_t>;
namespace st = envelope::stream;

constexpr size_t kChunk = st::kC2spChunkSize;
constexpr size_t kSealed = st::kC2spSealedChunkSize;
constexpr size_t kTag = st::kTagSize;

size_t ByteMutate(uint8_t* data, size_t size, size_t max_size) {
  return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max_size) : size;
}

struct Chunk {
  uint64_t index = 0;  // the index it is sealed at
  Bytes plaintext;
};

// Chunked is a decoded input: what Seal needs to write it again.
struct Chunked {
  uint8_t flags = 0;
  std::array<uint8_t, st::kC2spSaltSize> salt{};
  bool wrong_commitment = false;  // keep the input's commitment bytes
  std::array<uint8_t, st::kC2spCommitmentSize> commitment{};
  std::vector<Chunk> chunks;
  Bytes trailing;  // after the last chunk, never sealed
};

std::span<const uint8_t> ContextOf(uint8_t flags, std::string_view context) {
  if ((flags & 1) == 0) return {};
  return {reinterpret_cast<const uint8_t*>(context.data()), context.size()};
}

// ChunkNonce writes chunk `index`'s nonce (the library's schedule).
void ChunkNonce(const st::C2spKeys& keys, uint64_t index, uint8_t (&nonce)[st::kNonceSize]) {
  const st::C2spSchedule schedule(keys.base_nonce);
  (void)schedule.Params(index, false, 0, nonce, {});
}

std::optional<Chunked> Decode(std::span<const uint8_t> in, std::span<const uint8_t> key,
                              std::string_view context) {
  if (in.size() < 1 + st::kC2spHeaderSize) return std::nullopt;
  Chunked c;
  c.flags = in[0];
  std::copy_n(in.begin() + 1, st::kC2spSaltSize, c.salt.begin());
  std::copy_n(in.begin() + 1 + st::kC2spSaltSize, st::kC2spCommitmentSize, c.commitment.begin());
  auto keys = st::DeriveC2sp(key, c.salt, ContextOf(c.flags, context));
  if (!keys) return std::nullopt;
  c.wrong_commitment =
      !std::equal(c.commitment.begin(), c.commitment.end(), keys->commitment.begin());
  auto gcm = crypto::AesGcm::New(keys->aead_key.span());
  if (!gcm) return std::nullopt;
  auto body = in.subspan(1 + st::kC2spHeaderSize);
  for (uint64_t index = 0; !body.empty(); ++index) {
    const size_t n = std::min(body.size(), kSealed);
    if (n < kTag) {
      c.trailing.assign(body.begin(), body.end());
      break;
    }
    const auto sealed = body.first(n);
    Chunk chunk{index, Bytes(n - kTag)};
    uint8_t nonce[st::kNonceSize];
    ChunkNonce(*keys, index, nonce);
    if (!gcm->Open(nonce, {}, sealed.first(n - kTag), sealed.last(kTag), chunk.plaintext)) {
      // Not authentic: its bytes become the plaintext of an authentic chunk.
      std::copy_n(sealed.begin(), n - kTag, chunk.plaintext.begin());
    }
    c.chunks.push_back(std::move(chunk));
    body = body.subspan(n);
  }
  return c;
}

template <typename Rng>
size_t Pick(Rng& rng, size_t n) {
  return n == 0 ? 0 : rng() % n;
}

// Change makes one structural change.
template <typename Rng>
void Change(Chunked& c, Rng& rng) {
  auto& chunks = c.chunks;
  const size_t i = Pick(rng, chunks.size());
  switch (rng() % 12) {
    case 0:  // resize a chunk: short, empty, full
      if (!chunks.empty()) {
        const size_t sizes[] = {0, 1, kChunk - 1, kChunk, static_cast<size_t>(rng() % kChunk)};
        chunks[i].plaintext.resize(sizes[rng() % 5], static_cast<uint8_t>(rng()));
      }
      break;
    case 1:  // drop one
      if (!chunks.empty()) chunks.erase(chunks.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    case 2:  // repeat one, at its own index
      if (!chunks.empty())
        chunks.insert(chunks.begin() + static_cast<std::ptrdiff_t>(i), chunks[i]);
      break;
    case 3:  // swap two, each keeping the index it is sealed at
      if (chunks.size() >= 2) std::swap(chunks[i], chunks[Pick(rng, chunks.size())]);
      break;
    case 4:  // seal one at another index
      if (!chunks.empty()) {
        const uint64_t other[] = {chunks[i].index + 1, chunks[i].index - 1, rng() % 8,
                                  uint64_t{1} << 38, ~uint64_t{0}};
        chunks[i].index = other[rng() % 5];
      }
      break;
    case 5:  // another chunk at the end: empty, short or full
      chunks.push_back({chunks.size(), Bytes(rng() % 3 == 0 ? kChunk : rng() % 64, 0x5a)});
      break;
    case 6:  // change a chunk's bytes
      if (!chunks.empty() && !chunks[i].plaintext.empty()) {
        auto& p = chunks[i].plaintext;
        p[Pick(rng, p.size())] ^= static_cast<uint8_t>(1 + rng() % 255);
      }
      break;
    case 7:  // a fresh salt: another message key
      for (auto& b : c.salt) b = static_cast<uint8_t>(rng());
      break;
    case 8:  // the other context (flags bit 0), or the other thread count
      c.flags ^= static_cast<uint8_t>(rng() % 2 == 0 ? 1 : 2);
      break;
    case 9:  // bytes after the end, or fewer of them
      if (c.trailing.empty()) {
        c.trailing.resize(1 + rng() % 20, static_cast<uint8_t>(rng()));
      } else {
        c.trailing.clear();
      }
      break;
    case 10:  // keep (or drop) a commitment of another key
      c.wrong_commitment = !c.wrong_commitment;
      if (c.wrong_commitment) c.commitment[Pick(rng, c.commitment.size())] ^= 1;
      break;
    default:  // back to a valid shape: sequential indices, full then one short
      for (size_t k = 0; k < chunks.size(); ++k) {
        chunks[k].index = k;
        if (k + 1 < chunks.size()) chunks[k].plaintext.resize(kChunk, 0x33);
      }
      if (chunks.empty() || chunks.back().plaintext.size() >= kChunk)
        chunks.push_back({chunks.size(), {}});
      break;
  }
}

std::optional<Bytes> Seal(const Chunked& c, std::span<const uint8_t> key,
                          std::string_view context) {
  auto keys = st::DeriveC2sp(key, c.salt, ContextOf(c.flags, context));
  if (!keys) return std::nullopt;
  auto gcm = crypto::AesGcm::New(keys->aead_key.span());
  if (!gcm) return std::nullopt;
  Bytes out{c.flags};
  out.insert(out.end(), c.salt.begin(), c.salt.end());
  const auto& commitment = c.wrong_commitment ? c.commitment : keys->commitment;
  out.insert(out.end(), commitment.begin(), commitment.end());
  for (const Chunk& chunk : c.chunks) {
    uint8_t nonce[st::kNonceSize];
    ChunkNonce(*keys, chunk.index, nonce);
    const size_t at = out.size();
    out.resize(at + chunk.plaintext.size() + kTag);
    auto sealed = std::span(out).subspan(at);
    if (!gcm->Seal(nonce, {}, chunk.plaintext, sealed.first(chunk.plaintext.size()),
                   sealed.last(kTag))) {
      return std::nullopt;
    }
  }
  out.insert(out.end(), c.trailing.begin(), c.trailing.end());
  return out;
}

}  // namespace

size_t MutateChunked(uint8_t* data, size_t size, size_t max_size, unsigned seed,
                     std::span<const uint8_t> key, std::string_view context) {
  std::minstd_rand rng(seed);
  if (rng() % 2 == 0) return ByteMutate(data, size, max_size);
  auto c = Decode({data, size}, key, context);
  if (!c) return ByteMutate(data, size, max_size);
  const int changes = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < changes; ++i) Change(*c, rng);
  auto out = Seal(*c, key, context);
  if (!out || out->size() > max_size) return ByteMutate(data, size, max_size);
  std::memcpy(data, out->data(), out->size());
  return out->size();
}

}  // namespace envelope::fuzz
