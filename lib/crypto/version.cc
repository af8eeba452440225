#include "envelope/version.hpp"

namespace envelope {

const char* Version() noexcept { return ENVELOPE_VERSION_STRING; }

}  // namespace envelope
