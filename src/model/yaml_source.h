// Reading YAML task files into a SourceDoc with the line of every key and sequence element.
// yaml-cpp's event parser drives a builder, so positions come from yaml-cpp's Marks and no
// YAML::Node tree is built. Plain scalars are typed by the YAML 1.2 core schema (null, bool,
// int, float; "yes"/"no" stay strings); quoted and block scalars stay strings. Aliases are
// copied; "<<" merge keys merge mappings (explicit keys win).
#pragma once

#include <string_view>

#include "model/source_doc.h"

namespace allot {

// Parses the first document of `text` into `doc` (an empty text gives null). On a syntax
// error returns false and sets `error`; `doc` is then unspecified.
bool ParseYamlSource(std::string_view text, SourceDoc* doc, SourceError* error);

// The value of a plain (unquoted) scalar under the core schema: null, bool, int, float or
// the string itself.
OrderedJson PlainScalarValue(const std::string& text);

}  // namespace allot
