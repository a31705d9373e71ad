// Reading JSON task files into a SourceDoc with the line of every key and array element.
// nlohmann's SAX parser drives a builder that creates the DOM; the builder learns the current
// byte offset from a counting iterator over the text.
#pragma once

#include <string_view>

#include "model/source_builder.h"
#include "model/source_doc.h"

namespace allot {

// Parses `text` (strict JSON, no comments) into `doc`. On a syntax error returns false and
// sets `error` (line, column and what was expected); `doc` is then unspecified, and `on_task`
// may have seen some tasks. `on_task`: see SourceBuilder::TaskCallback.
bool ParseJsonSource(std::string_view text, SourceDoc* doc, SourceError* error,
                     SourceBuilder::TaskCallback on_task = nullptr);

}  // namespace allot
