// lib/policy: the typed values conditions compare (numbers, dates, IP
// addresses and CIDR blocks), parsed strictly: what does not parse matches
// nothing in a request and makes a policy malformed.
#ifndef ENVELOPE_LIB_POLICY_POLICY_VALUES_H_
#define ENVELOPE_LIB_POLICY_POLICY_VALUES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace envelope::policy::internal {

// ParseNumber reads an optionally signed decimal ("-12", "3.25"), at most 40
// characters; no exponent, no spaces.
std::optional<double> ParseNumber(std::string_view text);

// ParseDate reads seconds since the epoch ("1767225600") or an ISO 8601 date
// ("2026-01-01") or date-time ("2026-01-01T00:00:00Z", with optional
// fractional seconds and a "+hh:mm"/"-hh:mm" offset instead of "Z"), and
// returns seconds since the epoch (UTC).
std::optional<double> ParseDate(std::string_view text);

// IpBlock is an address or CIDR block, IPv4 mapped into IPv6 space.
struct IpBlock {
  std::array<uint8_t, 16> address{};
  int prefix = 128;
};

// ParseIpBlock reads "203.0.113.0/24", "2001:db8::/32" or a bare address
// (a /32 or /128 block). An IPv4 prefix counts IPv4 bits (0 to 32).
std::optional<IpBlock> ParseIpBlock(std::string_view text);

// IpInBlock reports whether address `ip` (no prefix) lies in `block`.
bool IpInBlock(const IpBlock& ip, const IpBlock& block);

}  // namespace envelope::policy::internal

#endif  // ENVELOPE_LIB_POLICY_POLICY_VALUES_H_
