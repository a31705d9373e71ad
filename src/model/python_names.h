// The names a task file gives its python function and container mounts, checked when the file
// is loaded (model/job_spec.h). Pure functions.
#pragma once

#include <string_view>

#include "common/status.h"

namespace allot {

// A Python identifier: a letter or '_', then letters, digits or '_' (bytes >= 0x80 count as
// letters, for non-ASCII names). Keywords are not rejected: Python itself says so at import.
bool IsPythonIdentifier(std::string_view name);
// Identifiers joined by single dots: "sim", "pkg.sim", "Model.run".
bool IsDottedPythonName(std::string_view name);
// A path to a .py file: ends with ".py" and has a '/' or is a bare "name.py".
bool IsPythonModulePath(std::string_view module);

// "HOST:CONTAINER" or "HOST:CONTAINER:ro" (or ":rw") with a non-empty HOST and an absolute
// CONTAINER path; InvalidArgument saying what is wrong otherwise.
Status CheckContainerMount(std::string_view mount);

}  // namespace allot
