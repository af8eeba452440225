// MemorySink: the zero-copy Reserve/Commit path the encryptor and decryptor
// write through, into the caller's vector or the sink's own; MemorySource
// read both ways.
#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "envelope/io.hpp"

namespace envelope {
namespace {

TEST_CASE("MemorySink: committed bytes stay, uncommitted ones are wiped and removed") {
  std::vector<uint8_t> out = {1, 2};
  {
    MemorySink sink(out);
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

TEST_CASE("MemorySink: its own vector, moved and taken, reservations wiped the same") {
  MemorySink sink;
  const uint8_t head[] = {1, 2, 3};
  REQUIRE(sink.Write(head));
  auto buf = sink.Reserve(4);
  REQUIRE(buf.size() == 4);
  std::fill(buf.begin(), buf.end(), 0x55);
  REQUIRE(sink.Commit(1));
  CHECK(sink.data() == std::vector<uint8_t>{1, 2, 3, 0x55});
  (void)sink.Reserve(8);
  MemorySink moved(std::move(sink));  // keeps the bytes and the reservation
  CHECK(sink.data().empty());
  CHECK(moved.data().size() == 12);
  REQUIRE(moved.Commit(0));
  CHECK(moved.data() == std::vector<uint8_t>{1, 2, 3, 0x55});
  REQUIRE(moved.Write(head));
  (void)moved.Reserve(5);
  auto taken = moved.Take();  // drops the pending reservation first
  CHECK(taken == std::vector<uint8_t>{1, 2, 3, 0x55, 1, 2, 3});
  CHECK(moved.data().empty());
  REQUIRE(sink.Write(head));  // a moved-from sink is empty and usable
  CHECK(sink.data().size() == 3);
}

TEST_CASE("MemorySource: sequential reads and stateless reads at offsets") {
  const std::vector<uint8_t> data = {10, 11, 12, 13, 14};
  MemorySource source(data);
  std::vector<uint8_t> out(2);
  CHECK(*source.Read(out) == 2);
  CHECK(out == std::vector<uint8_t>{10, 11});
  CHECK(*source.ReadAt(3, out) == 2);  // does not move the Read cursor
  CHECK(out == std::vector<uint8_t>{13, 14});
  CHECK(*source.ReadAt(4, out) == 1);
  CHECK(*source.ReadAt(5, out) == 0);
  CHECK(*source.ReadAt(99, out) == 0);
  CHECK(*source.Size() == 5);
  CHECK(*source.Read(out) == 2);
  CHECK(out == std::vector<uint8_t>{12, 13});
  CHECK(*source.Read(out) == 1);
  CHECK(*source.Read(out) == 0);
}

}  // namespace
}  // namespace envelope
