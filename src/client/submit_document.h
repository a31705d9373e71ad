// `allot submit [options] -- COMMAND...`: the workflow document (model/task_file.h) for one
// task, or for an array of tasks, built from the command's flags. The server parses it like
// any task file, so this only checks what it must to build the document, and what gives a
// better message here (the flag's name).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace allot {

struct SubmitOptions {
  std::vector<std::string> command;  // the words, joined with shell quoting (shell_quote.h)
  std::string name;                  // the task id, or the ids' prefix for an array
  std::string cores;                 // "N" or "MIN-MAX"; empty: the default (1)
  std::string memory;                // "4G"; empty: none
  std::optional<int64_t> gpus;
  std::optional<int64_t> nodes;      // `nodes`: workers at once, each with the above
  std::string time_limit;            // a duration ("2h"); empty: none
  std::string time_estimate;
  std::optional<int64_t> priority;
  std::optional<int64_t> max_retries;
  std::string array;                 // array_spec.h; empty: one task
  std::vector<std::string> after;    // depends_on: ids or glob patterns
  std::vector<std::string> tags;     // KEY=VALUE
  std::vector<std::string> env;      // KEY=VALUE
  std::string workdir;
};

// {"tasks": [{id, command, ...}]}, with only the fields the options set.
//
// With an array, the one task is a sweep {grid: {index: [...]}} with id "<name>-{index}" and
// env ALLOT_ARRAY_INDEX={index}: "{index}" in the command, name, env, tags, workdir and --after
// patterns becomes each index, and every other brace is escaped ("{{", "}}") so that it stays
// as written.
//
// InvalidArgument naming the flag for: no command or an empty name, a malformed --cores
// (N >= 1, or MIN-MAX with 1 <= MIN <= MAX), --mem (common/units.h), --time-limit or
// --time-estimate, negative --gpus or --max-retries, --nodes below 1, --tag or --env without KEY=, an --env
// KEY that is not a variable name, a --tag or --env KEY given twice, and a bad --array.
Result<nlohmann::json> BuildSubmitDocument(const SubmitOptions& options);

// The name a command's document is submitted under (the server names it in messages): the
// command line, plus " (command)" when it ends like a .json/.yaml/.yml file name, so that the
// server never takes the JSON document for YAML by its name.
std::string CommandSubmissionName(const std::vector<std::string>& words);

// "<basename of first_word>-<suffix>", with characters other than letters, digits, '.', '_'
// and '-' replaced by '_' ("task" when nothing is left): "./bin/sim" -> "sim-k3x9q".
std::string DefaultTaskName(std::string_view first_word, std::string_view suffix);

}  // namespace allot
