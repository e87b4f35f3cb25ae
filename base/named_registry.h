// NamedRegistry<Entry>: functions registered under their names while static initializers
// run, found later by name (in a spawned copy of the program) or by address (in the
// program that starts it). MP_REGISTER_TASK and MP_POOL_TASK each keep one.
//
// Entry is a struct with `std::string name` and `const void* function`. Registration
// happens on one thread before main(); afterwards the registry is only read, from any
// thread.

#ifndef MP_BASE_NAMED_REGISTRY_H_
#define MP_BASE_NAMED_REGISTRY_H_

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

namespace mp::internal {

template <typename Entry>
class NamedRegistry {
 public:
  // Adds `entry`; prints a message naming `kind` (e.g. "pool tasks") and aborts if its
  // name is taken, since a spawned program could not tell the two apart.
  static void Add(Entry entry, const char* kind) {
    if (FindByName(entry.name) != nullptr) {
      std::fprintf(stderr, "mp: two %s are registered as '%s'; give one of them another name\n",
                   kind, entry.name.c_str());
      std::abort();
    }
    Entries().push_back(std::move(entry));
  }

  // nullptr if none has that name or address.
  static const Entry* FindByName(std::string_view name) {
    for (const Entry& entry : Entries()) {
      if (entry.name == name) return &entry;
    }
    return nullptr;
  }
  static const Entry* FindByFunction(const void* function) {
    for (const Entry& entry : Entries()) {
      if (entry.function == function) return &entry;
    }
    return nullptr;
  }

 private:
  // Never destroyed, so lookups stay valid during static destruction too.
  static std::vector<Entry>& Entries() {
    static auto* entries = new std::vector<Entry>();
    return *entries;
  }
};

}  // namespace mp::internal

#endif  // MP_BASE_NAMED_REGISTRY_H_
