// lib/keyring: the engine of message rewrap (include/envelope/rewrap.hpp).
//
//   open input --> parse header (limits) --> v2 only
//     --> AuthenticateHeader through a capturing CMM: data key, context,
//         commit key and header tag verified
//     --> body layout: unsigned: size and final frame header (O(1));
//                      signed: walk to the footer
//     --> signed: new P-384 key, new aws-crypto-public-key in the context
//     --> EdkMaker: the new EDKs --> new header + tag (same message id,
//         commit key, frame length)
//     --> AtomicFile: header, then the body: copy_file_range (unsigned),
//         or read / verify old / sign new / write in one pass (signed)
//     --> commit (fsync, rename, fsync folder)
#ifndef ENVELOPE_LIB_KEYRING_REWRAP_CORE_H_
#define ENVELOPE_LIB_KEYRING_REWRAP_CORE_H_

#include <functional>
#include <string>
#include <vector>

#include "envelope/rewrap.hpp"
#include "message/header.h"

namespace envelope::keyring {

// EdkRequest is what an EDK maker gets to produce the new header's EDKs.
struct EdkRequest {
  const message::Header& old_header;
  const EncryptionContext& old_context;  // full context the old EDKs bind
  const EncryptionContext& new_context;  // full context the new EDKs must bind
  const std::vector<std::string>& required_keys;
  const SecretBytes& data_key;
  bool context_changed;  // a signed message's new public key
};

// EdkMaker returns the EDKs of the new header (at least one).
using EdkMaker = std::function<Result<std::vector<EncryptedDataKey>>(const EdkRequest&)>;

// Rewrap runs the whole pipeline above with `cmm` unwrapping the old data
// key and `make_edks` making the new EDKs. Errors as RewrapMessage's.
[[nodiscard]] Result<RewrapResult> Rewrap(const std::string& input_path,
                                          const std::string& output_path,
                                          const CryptoMaterialsManager& cmm,
                                          const RewrapOptions& options, const EdkMaker& make_edks);

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_REWRAP_CORE_H_
