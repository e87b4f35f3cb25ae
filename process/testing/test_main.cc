// main() for tests of programs that start processes with the spawn or forkserver
// start method: the library must get control before the test framework does, so
// that a spawned copy of the test binary runs its task instead of the tests.

#include "gtest/gtest.h"
#include "process/hand_off.h"

int main(int argc, char** argv) {
  mp::HandOffToLibrary(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
