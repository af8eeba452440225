// envelope: library version.
#ifndef ENVELOPE_VERSION_HPP_
#define ENVELOPE_VERSION_HPP_

namespace envelope {

// Version returns the library version, e.g. "0.1.0".
const char* Version() noexcept;

}  // namespace envelope

#endif  // ENVELOPE_VERSION_HPP_
