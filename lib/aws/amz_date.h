// lib/aws: the ISO 8601 basic-format timestamps of SigV4 ("20150830T123600Z").
#ifndef ENVELOPE_LIB_AWS_AMZ_DATE_H_
#define ENVELOPE_LIB_AWS_AMZ_DATE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace envelope::aws {

// AmzTime is a point in time at one-second resolution, UTC.
using AmzTime = std::chrono::sys_seconds;

// FormatAmzDate returns "YYYYMMDDTHHMMSSZ" (the X-Amz-Date form).
std::string FormatAmzDate(AmzTime t);

// FormatAmzDay returns "YYYYMMDD" (the credential scope's date).
std::string FormatAmzDay(AmzTime t);

// ParseAmzDate accepts exactly "YYYYMMDDTHHMMSSZ" naming a real calendar
// time (years 1970-9999, no leap second); nullopt otherwise.
std::optional<AmzTime> ParseAmzDate(std::string_view text);

// ParseIso8601 accepts exactly "YYYY-MM-DDTHH:MM:SSZ" (the extended form the
// SigV4 test suite and AWS config files use); nullopt otherwise.
std::optional<AmzTime> ParseIso8601(std::string_view text);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_AMZ_DATE_H_
