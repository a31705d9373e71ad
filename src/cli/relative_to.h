// --relative-to DIR (allot run, allot plan): the directory a generated task file's relative
// paths are resolved against, instead of the file's own.
#pragma once

#include <string>

#include "common/status.h"
#include "model/task_file.h"

namespace allot {

// Sets load->file_dir to DIR, absolute and without a trailing '/'. Empty `dir`: nothing.
// InvalidArgument ("--relative-to DIR: not a directory") otherwise.
Status ApplyRelativeTo(const std::string& dir, LoadOptions* load);

}  // namespace allot
