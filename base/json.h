// JSON for the whole project: nlohmann::json (Debian's nlohmann-json3-dev, header-only),
// with one way of writing it, so that the scaling report, the progress table's build
// events and the Gradescope file escape text the same way (control characters as \u00XX,
// never dropped or replaced).
//
//   mp::Json report = {{"score", 2}, {"tests", mp::Json::array()}};
//   std::string text = mp::WriteJson(report);   // two-space indent, ends with a newline

#ifndef MP_BASE_JSON_H_
#define MP_BASE_JSON_H_

#include <string>

#include "nlohmann/json.hpp"

namespace mp {

// Keys keep the order they were added in, so a file reads in the order it was built.
using Json = nlohmann::ordered_json;

// `value` as text, indented by two spaces, with a final newline. Bytes that are not valid
// UTF-8 (a compiler's output in another encoding) are replaced, not an exception.
inline std::string WriteJson(const Json& value) {
  return value.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

}  // namespace mp

#endif  // MP_BASE_JSON_H_
