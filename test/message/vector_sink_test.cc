// VectorSink: the zero-copy Reserve/Commit path the encryptor and decryptor
// write through.
#include <doctest/doctest.h>

#include <vector>

#include "envelope/message_io.hpp"

namespace envelope {
namespace {

TEST_CASE("VectorSink: committed bytes stay, uncommitted ones are wiped and removed") {
  std::vector<uint8_t> out = {1, 2};
  {
    VectorSink sink(out);
    auto buf = sink.Reserve(3);
    REQUIRE(buf.size() == 3);
    buf[0] = 7, buf[1] = 8, buf[2] = 9;
    REQUIRE(sink.Commit(2));  // keeps 7 8, drops 9
    CHECK(out == std::vector<uint8_t>{1, 2, 7, 8});

    buf = sink.Reserve(4);
    std::fill(buf.begin(), buf.end(), 0xaa);
    REQUIRE(sink.Commit(0));  // abandoned: nothing of it stays
    CHECK(out == std::vector<uint8_t>{1, 2, 7, 8});

    const uint8_t tail[] = {5};
    (void)sink.Reserve(10);
    REQUIRE(sink.Write(tail));  // a Write drops a pending reservation first
    CHECK(out == std::vector<uint8_t>{1, 2, 7, 8, 5});
    CHECK_FALSE(sink.Commit(1));  // nothing reserved any more

    out.clear();  // the caller may reuse its vector between writes
    buf = sink.Reserve(2);
    REQUIRE(sink.Commit(2));
    CHECK(out.size() == 2);
    (void)sink.Reserve(6);
  }  // destroyed with a reservation pending
  CHECK(out.size() == 2);
}

}  // namespace
}  // namespace envelope
