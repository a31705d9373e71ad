// TaskSpecFromJsonText: simdjson parses the document (SIMD, chosen for the CPU at run time)
// and the TaskSpec is read off its tape (what loading a journal's million specs spends its time
// on; nlohmann's lexer reads a byte at a time). It takes only the documents TaskSpecToJson
// writes: the known keys, each once, with the types TaskSpecFromJson accepts. Anything else (an
// unknown key, a key given twice, a type it does not expect, bytes that do not parse, text after
// the document) is decoded again by TaskSpecFromJson, the reference, whose message names the
// field; so the result is TaskSpecFromJson's for every input.
#include <cmath>
#include <cstdint>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>

#include "model/task_spec_json.h"

namespace allot {
namespace {

namespace dom = simdjson::dom;

enum class Field : uint8_t {
  kUnknown,
  kId,
  kCommand,
  kCores,
  kMemory,
  kMemoryAuto,
  kMemoryMax,
  kGpus,
  kNodes,
  kResources,
  kTimeLimit,
  kTimeEstimate,
  kGracePeriod,
  kPriority,
  kMaxRetries,
  kRetryBackoff,
  kEnv,
  kTags,
  kWorkdir,
  kDependsOn,
  kOrigin,
  kExecutor,
  kCount,
};
static_assert(static_cast<int>(Field::kCount) <= 32, "Seen keeps a bit per field");

Field FieldNamed(std::string_view key) {
  static constexpr std::pair<std::string_view, Field> kFields[] = {
      {"id", Field::kId},
      {"command", Field::kCommand},
      {"cores", Field::kCores},
      {"memory", Field::kMemory},
      {"memory_auto", Field::kMemoryAuto},
      {"memory_max", Field::kMemoryMax},
      {"gpus", Field::kGpus},
      {"nodes", Field::kNodes},
      {"resources", Field::kResources},
      {"time_limit", Field::kTimeLimit},
      {"time_estimate", Field::kTimeEstimate},
      {"grace_period", Field::kGracePeriod},
      {"priority", Field::kPriority},
      {"max_retries", Field::kMaxRetries},
      {"retry_backoff", Field::kRetryBackoff},
      {"env", Field::kEnv},
      {"tags", Field::kTags},
      {"workdir", Field::kWorkdir},
      {"depends_on", Field::kDependsOn},
      {"origin", Field::kOrigin},
      {"executor", Field::kExecutor},
  };
  for (const auto& [name, field] : kFields) {
    if (name == key) return field;
  }
  return Field::kUnknown;
}

// Each reader returns false when the value is not what TaskSpecToJson writes there.

template <typename Int>
bool ReadInteger(dom::element v, Int* out) {
  // As TaskSpecFromJson's json::get<Int>: the integer cast to Int.
  switch (v.type()) {
    case dom::element_type::INT64:
      *out = static_cast<Int>(int64_t(v));
      return true;
    case dom::element_type::UINT64:
      *out = static_cast<Int>(uint64_t(v));
      return true;
    default:
      return false;
  }
}

bool ReadDouble(dom::element v, double* out) {
  switch (v.type()) {
    case dom::element_type::INT64:
      *out = static_cast<double>(int64_t(v));
      return true;
    case dom::element_type::UINT64:
      *out = static_cast<double>(uint64_t(v));
      return true;
    case dom::element_type::DOUBLE:
      *out = double(v);
      return true;
    default:
      return false;
  }
}

bool ReadSeconds(dom::element v, Duration* out) {
  double seconds = 0;
  if (!ReadDouble(v, &seconds)) return false;
  *out = Duration(std::llround(seconds * 1e6));
  return true;
}

bool ReadString(dom::element v, std::string* out) {
  if (v.type() != dom::element_type::STRING) return false;
  out->assign(std::string_view(v));
  return true;
}

bool ReadBool(dom::element v, bool* out) {
  if (v.type() != dom::element_type::BOOL) return false;
  *out = bool(v);
  return true;
}

// The members of object `v`, each to `member(key, value)`; false when `v` is not an object or
// `member` says so.
template <typename Member>
bool ForEachMember(dom::element v, Member member) {
  if (v.type() != dom::element_type::OBJECT) return false;
  for (dom::key_value_pair kv : dom::object(v)) {
    if (!member(kv.key, kv.value)) return false;
  }
  return true;
}

// {min, max}, both present, nothing else.
bool ReadCoreRange(dom::element v, CoreRequest* out) {
  bool min = false;
  bool max = false;
  const bool read = ForEachMember(v, [&](std::string_view key, dom::element value) {
    if (key == "min" && !min) return min = ReadInteger(value, &out->min);
    if (key == "max" && !max) return max = ReadInteger(value, &out->max);
    return false;
  });
  return read && min && max;
}

bool ReadCores(dom::element v, CoreRequest* out) {
  if (v.type() == dom::element_type::OBJECT) return ReadCoreRange(v, out);
  if (!ReadInteger(v, &out->min)) return false;
  out->max = out->min;
  return true;
}

bool ReadBackoff(dom::element v, RetryBackoff* out) {
  uint32_t seen = 0;
  return ForEachMember(v, [&](std::string_view key, dom::element value) {
    const uint32_t bit = key == "initial" ? 1 : key == "factor" ? 2 : key == "max" ? 4 : 0;
    if (bit == 0 || (seen & bit) != 0) return false;
    seen |= bit;
    if (bit == 1) return ReadSeconds(value, &out->initial);
    if (bit == 2) return ReadDouble(value, &out->factor);
    return ReadSeconds(value, &out->max);
  });
}

bool ReadOrigin(dom::element v, SourceLocation* out) {
  uint32_t seen = 0;
  return ForEachMember(v, [&](std::string_view key, dom::element value) {
    const uint32_t bit = key == "file" ? 1 : key == "line" ? 2 : 0;
    if (bit == 0 || (seen & bit) != 0) return false;
    seen |= bit;
    return bit == 1 ? ReadString(value, &out->file) : ReadInteger(value, &out->line);
  });
}

bool ReadTags(dom::element v, std::map<std::string, std::string>* out) {
  return ForEachMember(v, [out](std::string_view key, dom::element value) {
    std::string text;
    if (!ReadString(value, &text)) return false;
    return out->emplace(std::string(key), std::move(text)).second;
  });
}

bool ReadCustom(dom::element v, std::map<std::string, int64_t>* out) {
  return ForEachMember(v, [out](std::string_view key, dom::element value) {
    int64_t amount = 0;
    if (!ReadInteger(value, &amount)) return false;
    return out->emplace(std::string(key), amount).second;
  });
}

bool ReadStrings(dom::element v, std::vector<std::string>* out) {
  if (v.type() != dom::element_type::ARRAY) return false;
  for (dom::element item : dom::array(v)) {
    if (!ReadString(item, &out->emplace_back())) return false;
  }
  return true;
}

// [[name, value], ...]
bool ReadEnv(dom::element v, std::vector<std::pair<std::string, std::string>>* out) {
  if (v.type() != dom::element_type::ARRAY) return false;
  for (dom::element pair : dom::array(v)) {
    if (pair.type() != dom::element_type::ARRAY) return false;
    const dom::array both(pair);
    if (both.size() != 2) return false;
    std::string name;
    std::string value;
    if (!ReadString(both.at(0).value_unsafe(), &name) ||
        !ReadString(both.at(1).value_unsafe(), &value)) {
      return false;
    }
    out->emplace_back(std::move(name), std::move(value));
  }
  return true;
}

bool ReadField(Field field, dom::element v, TaskSpec* spec) {
  ResourceRequest& r = spec->resources;
  switch (field) {
    case Field::kId:
      return ReadString(v, &spec->id);
    case Field::kCommand:
      return ReadString(v, &spec->command);
    case Field::kWorkdir:
      return ReadString(v, &spec->workdir);
    case Field::kExecutor:
      return ReadString(v, &spec->executor);
    case Field::kCores:
      return ReadCores(v, &r.cores);
    case Field::kMemory:
      return ReadInteger(v, &r.memory_bytes);
    case Field::kMemoryAuto:
      return ReadBool(v, &r.memory_auto);
    case Field::kMemoryMax:
      return ReadInteger(v, &spec->memory_max_bytes);
    case Field::kGpus:
      return ReadInteger(v, &r.gpus);
    case Field::kNodes:
      return ReadInteger(v, &r.nodes);
    case Field::kResources:
      return ReadCustom(v, &r.custom);
    case Field::kPriority:
      return ReadInteger(v, &spec->priority);
    case Field::kMaxRetries:
      return ReadInteger(v, &spec->max_retries);
    case Field::kTimeLimit:
      return ReadSeconds(v, &spec->time_limit.emplace());
    case Field::kTimeEstimate:
      return ReadSeconds(v, &spec->time_estimate.emplace());
    case Field::kGracePeriod:
      return ReadSeconds(v, &spec->grace_period);
    case Field::kRetryBackoff:
      return ReadBackoff(v, &spec->retry_backoff);
    case Field::kEnv:
      return ReadEnv(v, &spec->env);
    case Field::kTags:
      return ReadTags(v, &spec->tags);
    case Field::kDependsOn:
      return ReadStrings(v, &spec->depends_on);
    case Field::kOrigin:
      return ReadOrigin(v, &spec->origin);
    default:
      return false;  // a key TaskSpecToJson does not write: the reference decides
  }
}

// The fast path: true with `spec` filled when the first `size` bytes of `padded` (padded for
// simdjson) are a document TaskSpecToJson could have written.
bool ReadCanonical(dom::parser& parser, const std::string& padded, size_t size, TaskSpec* spec) {
  dom::element doc;
  if (parser.parse(padded.data(), size, /*realloc_if_needed=*/false).get(doc) !=
      simdjson::SUCCESS) {
    return false;
  }
  uint32_t seen = 0;
  const bool read = ForEachMember(doc, [&](std::string_view key, dom::element value) {
    const Field field = FieldNamed(key);
    const uint32_t bit = uint32_t{1} << static_cast<int>(field);
    if (field == Field::kUnknown || (seen & bit) != 0) return false;
    seen |= bit;
    return ReadField(field, value, spec);
  });
  const uint32_t required = (uint32_t{1} << static_cast<int>(Field::kId)) |
                            (uint32_t{1} << static_cast<int>(Field::kCommand));
  return read && (seen & required) == required;
}

}  // namespace

Result<TaskSpec> TaskSpecFromJsonText(std::string_view text) {
  // One parser and one padded copy of the text per thread (simdjson reads up to
  // SIMDJSON_PADDING bytes past the end).
  thread_local dom::parser parser;
  thread_local std::string padded;
  padded.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  padded.assign(text);
  TaskSpec spec;
  if (ReadCanonical(parser, padded, text.size(), &spec)) return spec;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption("task spec: not JSON");
  return TaskSpecFromJson(j);
}

}  // namespace allot
