#include "policy/policy_values.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

namespace envelope::policy::internal {
namespace {

bool Digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Int(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// DaysFromCivil counts days from 1970-01-01 to y-m-d (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool LeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && LeapYear(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  std::string_view s = text;
  if (s[0] == '-' || s[0] == '+') s.remove_prefix(1);
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  if (!Digits(whole)) return std::nullopt;
  if (dot != std::string_view::npos && !Digits(s.substr(dot + 1))) return std::nullopt;
  // Only digits, one sign and one dot remain: strtod cannot misread it.
  return std::strtod(std::string(text).c_str(), nullptr);
}

std::optional<double> ParseDate(std::string_view text) {
  if (Digits(text) && text.size() <= 12) return static_cast<double>(std::stoll(std::string(text)));
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !Digits(text.substr(0, 4)) ||
      !Digits(text.substr(5, 2)) || !Digits(text.substr(8, 2))) {
    return std::nullopt;
  }
  const int y = Int(text.substr(0, 4)), mo = Int(text.substr(5, 2)), d = Int(text.substr(8, 2));
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return std::nullopt;
  double seconds = static_cast<double>(DaysFromCivil(y, mo, d)) * 86400.0;
  if (text.size() == 10) return seconds;
  std::string_view t = text.substr(10);
  if (t.size() < 6 || t[0] != 'T' || t[3] != ':' || !Digits(t.substr(1, 2)) ||
      !Digits(t.substr(4, 2))) {
    return std::nullopt;
  }
  const int h = Int(t.substr(1, 2)), mi = Int(t.substr(4, 2));
  int s = 0;
  double fraction = 0;
  t.remove_prefix(6);
  if (!t.empty() && t[0] == ':') {
    if (t.size() < 3 || !Digits(t.substr(1, 2))) return std::nullopt;
    s = Int(t.substr(1, 2));
    t.remove_prefix(3);
    if (!t.empty() && t[0] == '.') {
      size_t n = 1;
      while (n < t.size() && n <= 9 && t[n] >= '0' && t[n] <= '9') ++n;
      if (n == 1) return std::nullopt;
      fraction = std::strtod(("0" + std::string(t.substr(0, n))).c_str(), nullptr);
      t.remove_prefix(n);
    }
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  seconds += h * 3600.0 + mi * 60.0 + s + fraction;
  if (t == "Z") return seconds;
  if (t.size() != 6 || (t[0] != '+' && t[0] != '-') || t[3] != ':' || !Digits(t.substr(1, 2)) ||
      !Digits(t.substr(4, 2))) {
    return std::nullopt;
  }
  const int oh = Int(t.substr(1, 2)), om = Int(t.substr(4, 2));
  if (oh > 23 || om > 59) return std::nullopt;
  const double offset = oh * 3600.0 + om * 60.0;
  return t[0] == '+' ? seconds - offset : seconds + offset;
}

std::optional<IpBlock> ParseIpBlock(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const size_t slash = text.find('/');
  const std::string address(text.substr(0, slash));
  IpBlock block;
  bool v4 = false;
  in_addr a4{};
  in6_addr a6{};
  if (inet_pton(AF_INET, address.c_str(), &a4) == 1) {
    v4 = true;
    block.address[10] = block.address[11] = 0xff;
    std::memcpy(block.address.data() + 12, &a4, 4);
  } else if (inet_pton(AF_INET6, address.c_str(), &a6) == 1) {
    std::memcpy(block.address.data(), &a6, 16);
  } else {
    return std::nullopt;
  }
  if (slash != std::string_view::npos) {
    const std::string_view bits = text.substr(slash + 1);
    if (!Digits(bits) || bits.size() > 3) return std::nullopt;
    const int prefix = Int(bits);
    if (prefix > (v4 ? 32 : 128)) return std::nullopt;
    block.prefix = v4 ? prefix + 96 : prefix;
  }
  return block;
}

bool IpInBlock(const IpBlock& ip, const IpBlock& block) {
  int bits = block.prefix;
  for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip.address[i] & mask) != (block.address[i] & mask)) return false;
  }
  return true;
}

}  // namespace envelope::policy::internal
