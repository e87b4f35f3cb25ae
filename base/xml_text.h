// Text for XML and SVG (the scaling report's chart, the pool's timeline): the characters
// XML reserves, escaped, so a title or label holding '<', '>', '&' or a quote cannot
// break the document.

#ifndef MP_BASE_XML_TEXT_H_
#define MP_BASE_XML_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mp {

// `text` with & < > " ' replaced by their entities: safe in element text and in
// attribute values alike.
inline std::string XmlEscaped(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace mp

#endif  // MP_BASE_XML_TEXT_H_
