// The sim core against closed-form timing.
#include <gtest/gtest.h>

#include "tests/util/systemc_fixture.h"

namespace coda::test {
namespace {

using sc_core::SC_SEC;
using sc_core::sc_time;

class SimCore : public SystemCTest {
 protected:
  void SetUp() override {
    SystemCTest::SetUp();
    session().dram().configure({10e9, 100e-9});
    session().dram().reset();
  }
};

TEST_F(SimCore, DmaTakesBytesOverBandwidthPlusLatency) {
  const std::uint64_t bytes = 1 << 20;
  sc_time done;
  probe().engine0.push({{},
                        [&] {
                          probe().dma0.transfer(bytes, false);
                          done = sc_core::sc_time_stamp();
                        },
                        {}});
  const sc_time start = sc_core::sc_time_stamp();
  const sc_time elapsed = session().run();
  const double expect = bytes / 10e9 + 100e-9;
  EXPECT_NEAR(elapsed.to_seconds(), expect, 1e-12);
  EXPECT_NEAR((done - start).to_seconds(), expect, 1e-12);
  EXPECT_EQ(session().dram().bytes_read(), bytes);
}

TEST_F(SimCore, TwoConcurrentStreamsShareTheBandwidth) {
  const std::uint64_t bytes = 1 << 20;
  sc_time done0, done1;
  const sc_time start = sc_core::sc_time_stamp();
  probe().engine0.push({{},
                        [&] {
                          probe().dma0.transfer(bytes, false);
                          done0 = sc_core::sc_time_stamp();
                        },
                        {}});
  probe().engine1.push({{},
                        [&] {
                          probe().dma1.transfer(bytes, true);
                          done1 = sc_core::sc_time_stamp();
                        },
                        {}});
  session().run();
  // Together they move 2B at W: each stream sees W/2, so both finish near 2B/W.
  const double both = 2.0 * bytes / 10e9 + 100e-9;
  const double burst = 16 * 1024 / 10e9;
  EXPECT_NEAR((done0 - start).to_seconds(), both, burst + 1e-12);
  EXPECT_NEAR((done1 - start).to_seconds(), both, burst + 1e-12);
  EXPECT_EQ(session().dram().bytes_written(), bytes);
}

TEST_F(SimCore, TokensOrderEnginesAndOverlapWork) {
  sim::Token loaded;
  std::vector<std::string> log;
  // engine0 loads two tiles; engine1 computes each after its load.
  for (int i = 0; i < 2; ++i) {
    probe().engine0.push({{},
                          [&] {
                            sc_core::wait(sc_time(10, sc_core::SC_NS));
                            log.push_back("load");
                          },
                          {&loaded}});
    probe().engine1.push({{{&loaded, static_cast<std::uint64_t>(i + 1)}},
                          [&] {
                            sc_core::wait(sc_time(30, sc_core::SC_NS));
                            log.push_back("compute");
                          },
                          {}});
  }
  const sc_time elapsed = session().run();
  // load0 [0,10], compute0 [10,40] overlapping load1 [10,20], compute1 [40,70].
  EXPECT_EQ(elapsed, sc_time(70, sc_core::SC_NS));
  EXPECT_EQ(log, (std::vector<std::string>{"load", "load", "compute", "compute"}));
}

TEST_F(SimCore, ResultsDoNotDependOnJobOrder) {
  auto job = [&](std::uint64_t bytes) {
    session().dram().reset();
    probe().engine0.push({{}, [&, bytes] { probe().dma0.transfer(bytes, false); }, {}});
    return session().run();
  };
  const sc_time a1 = job(12345), b1 = job(1 << 18), a2 = job(12345);
  EXPECT_EQ(a1, a2);
  EXPECT_GT(b1, a1);
}

TEST(Buffer, CapacityChecks) {
  sim::Buffer b("local", 1000);
  EXPECT_TRUE(b.allocate(600));
  EXPECT_FALSE(b.allocate(500));
  b.release(600);
  EXPECT_TRUE(b.allocate(1000));
  EXPECT_EQ(b.peak(), 1000u);
}

TEST(Stats, JsonCarriesUnitsAndDescriptions) {
  sim::StatGroup g("dram");
  const auto id = g.add("bytes_read", "byte", "bytes read from DRAM");
  g.inc(id, 64);
  const auto j = g.to_json();
  EXPECT_EQ(j["bytes_read"]["value"], 64);
  EXPECT_EQ(j["bytes_read"]["unit"], "byte");
  EXPECT_THROW(g.add("bytes_read", "byte", "again"), std::logic_error);
}

}  // namespace
}  // namespace coda::test
