// lib/crypto: the one UTF-8 validator.
//
// Text that reaches JSON (the keystore, the audit log), a KMS request or a
// message's encryption context must be UTF-8: the ESDK says so for contexts
// and names, and nlohmann::json throws when it serializes anything else.
// Every layer checks with these functions (lib/crypto is the lowest layer
// that needs them; it owns no other text handling).
#ifndef ENVELOPE_LIB_CRYPTO_UTF8_H_
#define ENVELOPE_LIB_CRYPTO_UTF8_H_

#include <map>
#include <string>
#include <string_view>

#include "envelope/error.hpp"

namespace envelope::crypto {

// IsValidUtf8 reports whether `text` is well-formed UTF-8 (RFC 3629): no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no
// truncated sequence.
bool IsValidUtf8(std::string_view text) noexcept;

// CheckUtf8 returns `invalid_argument` "`what` is not valid UTF-8" when
// `text` is not. The message never contains the offending bytes.
[[nodiscard]] Result<void> CheckUtf8(std::string_view text, std::string_view what);

// CheckUtf8Map checks every key and value of `map` (an encryption context,
// tags). `what` names the map in the error: "`what` key is not valid UTF-8"
// or "`what` value for key \"k\" is not valid UTF-8" (the key is quoted only
// when it is itself valid).
[[nodiscard]] Result<void> CheckUtf8Map(const std::map<std::string, std::string>& map,
                                        std::string_view what);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_UTF8_H_
