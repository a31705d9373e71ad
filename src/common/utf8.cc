#include "common/utf8.h"

#include <cstdio>

namespace allot {

bool DecodeUtf8(std::string_view text, size_t* pos, char32_t* code_point) {
  const size_t i = *pos;
  const unsigned char lead = static_cast<unsigned char>(text[i]);
  size_t length;
  char32_t value;
  char32_t minimum;
  if (lead < 0x80) {
    *code_point = lead;
    *pos = i + 1;
    return true;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    return false;  // continuation byte, or a lead byte that only starts overlong/out-of-range
  }
  if (text.size() - i < length) return false;
  for (size_t k = 1; k < length; ++k) {
    const unsigned char c = static_cast<unsigned char>(text[i + k]);
    if ((c & 0xC0) != 0x80) return false;
    value = (value << 6) | (c & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
  *code_point = value;
  *pos = i + length;
  return true;
}

size_t FindInvalidUtf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    // Plain ASCII runs are the common case.
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    char32_t ignored;
    if (!DecodeUtf8(text, &pos, &ignored)) return pos;
  }
  return std::string_view::npos;
}

bool IsInvisibleOrControl(char32_t c) {
  if (c < 0x20 || (c >= 0x7F && c <= 0xA0)) return true;  // C0, DEL, C1, no-break space
  switch (c) {
    case 0x00AD:  // soft hyphen
    case 0x034F:  // combining grapheme joiner
    case 0x061C:  // Arabic letter mark
    case 0x115F: case 0x1160:  // Hangul fillers
    case 0x1680:  // Ogham space mark
    case 0x180E:  // Mongolian vowel separator
    case 0x3000:  // ideographic space
    case 0x3164:  // Hangul filler
    case 0xFEFF:  // byte order mark / zero-width no-break space
    case 0xFFA0:  // halfwidth Hangul filler
      return true;
    default:
      break;
  }
  if (c >= 0x2000 && c <= 0x200F) return true;  // spaces, zero-width, LRM/RLM
  if (c >= 0x2028 && c <= 0x202F) return true;  // line/paragraph separators, bidi embeddings
  if (c >= 0x205F && c <= 0x206F) return true;  // math space, invisible operators, bidi isolates
  if (c >= 0xFFF9 && c <= 0xFFFB) return true;  // interlinear annotation
  if (c >= 0xE0000 && c <= 0xE007F) return true;  // tag characters
  return false;
}

std::string EscapeForDisplay(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  char hex[16];
  while (pos < text.size()) {
    const size_t start = pos;
    char32_t c = 0;
    if (!DecodeUtf8(text, &pos, &c)) {
      std::snprintf(hex, sizeof hex, "<%02X>", static_cast<unsigned char>(text[pos]));
      out += hex;
      ++pos;
      continue;
    }
    if (IsInvisibleOrControl(c)) {
      std::snprintf(hex, sizeof hex, "<U+%04X>", static_cast<unsigned>(c));
      out += hex;
      continue;
    }
    out.append(text.substr(start, pos - start));
  }
  return out;
}

}  // namespace allot
