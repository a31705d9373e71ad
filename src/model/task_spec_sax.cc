// TaskSpecFromJsonText: a SAX handler fills the TaskSpec as the
// parser reads, without building a document (building and freeing one is most of the cost of
// TaskSpecFromJson on a journal's million specs). The handler accepts exactly the documents
// TaskSpecFromJson accepts and decodes them the same way; on anything else (a type it does not
// expect, a missing id, a key given twice, bytes that do not parse) it gives up and the input
// is decoded again by TaskSpecFromJson, whose message names the field.
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "model/task_spec_json.h"

namespace allot {
namespace {

using nlohmann::json;

enum class Field : uint8_t {
  kUnknown,
  kId,
  kCommand,
  kCores,
  kMemory,
  kMemoryAuto,
  kMemoryMax,
  kGpus,
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
  kCount,
};

// The keys of TaskSpecToJson's objects below the top level that carry a value.
enum class SubKey : uint8_t { kUnknown, kMin, kMax, kInitial, kFactor, kFile, kLine };

Field FieldNamed(std::string_view key) {
  static constexpr std::pair<std::string_view, Field> kFields[] = {
      {"id", Field::kId},
      {"command", Field::kCommand},
      {"cores", Field::kCores},
      {"memory", Field::kMemory},
      {"memory_auto", Field::kMemoryAuto},
      {"memory_max", Field::kMemoryMax},
      {"gpus", Field::kGpus},
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
  };
  for (const auto& [name, field] : kFields) {
    if (name == key) return field;
  }
  return Field::kUnknown;
}

SubKey SubKeyNamed(Field field, std::string_view key) {
  switch (field) {
    case Field::kCores:
      if (key == "min") return SubKey::kMin;
      if (key == "max") return SubKey::kMax;
      break;
    case Field::kRetryBackoff:
      if (key == "initial") return SubKey::kInitial;
      if (key == "factor") return SubKey::kFactor;
      if (key == "max") return SubKey::kMax;
      break;
    case Field::kOrigin:
      if (key == "file") return SubKey::kFile;
      if (key == "line") return SubKey::kLine;
      break;
    default:
      break;
  }
  return SubKey::kUnknown;
}

Duration SecondsToDuration(double seconds) { return Duration(std::llround(seconds * 1e6)); }

// One scalar as the parser reports it. Integers keep their exact value: TaskSpecFromJson
// casts them the same way (json::get<Int>).
struct Scalar {
  enum class Kind : uint8_t { kNull, kBool, kInt, kUnsigned, kFloat, kString } kind;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
  std::string* s = nullptr;

  bool is_integer() const { return kind == Kind::kInt || kind == Kind::kUnsigned; }
  bool is_number() const { return is_integer() || kind == Kind::kFloat; }
  template <typename Int>
  Int integer() const {
    return kind == Kind::kInt ? static_cast<Int>(i) : static_cast<Int>(u);
  }
  double number() const {
    switch (kind) {
      case Kind::kInt:
        return static_cast<double>(i);
      case Kind::kUnsigned:
        return static_cast<double>(u);
      default:
        return f;
    }
  }
};

class TaskSpecSax final : public nlohmann::json_sax<json> {
 public:
  explicit TaskSpecSax(TaskSpec* out) : spec_(*out) {}

  // Whether the parse ended with a whole document TaskSpecFromJson accepts.
  bool complete() const {
    return ok_ && closed_ && Seen(Field::kId) && Seen(Field::kCommand);
  }

  bool null() override { return Value({Scalar::Kind::kNull}); }
  bool boolean(bool v) override {
    Scalar s{Scalar::Kind::kBool};
    s.b = v;
    return Value(s);
  }
  bool number_integer(number_integer_t v) override {
    Scalar s{Scalar::Kind::kInt};
    s.i = v;
    return Value(s);
  }
  bool number_unsigned(number_unsigned_t v) override {
    Scalar s{Scalar::Kind::kUnsigned};
    s.u = v;
    return Value(s);
  }
  bool number_float(number_float_t v, const string_t&) override {
    Scalar s{Scalar::Kind::kFloat};
    s.f = v;
    return Value(s);
  }
  bool string(string_t& v) override {
    Scalar s{Scalar::Kind::kString};
    s.s = &v;
    return Value(s);
  }
  bool binary(binary_t&) override { return Fail(); }  // not in JSON text

  bool start_object(std::size_t) override {
    if (Skipping()) return Enter();
    if (depth_ == 0) {
      if (closed_) return Fail();
      return Enter();
    }
    if (depth_ == 1) {
      switch (field_) {
        case Field::kCores:
          cores_min_ = cores_max_ = false;
          [[fallthrough]];
        case Field::kResources:
        case Field::kRetryBackoff:
        case Field::kTags:
        case Field::kOrigin:
          return Enter();
        case Field::kUnknown:
          skip_from_ = depth_;
          return Enter();
        default:
          return Fail();
      }
    }
    if (depth_ == 2 && sub_is_unknown_) {
      skip_from_ = depth_;
      return Enter();
    }
    return Fail();
  }
  bool key(string_t& k) override {
    if (Skipping()) return true;
    if (depth_ == 1) {
      field_ = FieldNamed(k);
      if (field_ == Field::kUnknown) return true;
      const auto bit = uint32_t{1} << static_cast<int>(field_);
      if ((seen_ & bit) != 0) return Fail();  // TaskSpecFromJson keeps the last: let it decide
      seen_ |= bit;
      return true;
    }
    if (depth_ == 2) {
      if (field_ == Field::kResources || field_ == Field::kTags) {
        map_key_ = std::move(k);
        sub_is_unknown_ = false;
        return true;
      }
      sub_ = SubKeyNamed(field_, k);
      sub_is_unknown_ = sub_ == SubKey::kUnknown;
      return true;
    }
    return Fail();
  }
  bool end_object() override {
    if (Leaving()) return true;
    if (depth_ == 1) {
      closed_ = true;
    } else if (depth_ == 2 && field_ == Field::kCores && !(cores_min_ && cores_max_)) {
      return Fail();
    }
    --depth_;
    sub_is_unknown_ = false;
    return true;
  }
  bool start_array(std::size_t) override {
    if (Skipping()) return Enter();
    if (depth_ == 1) {
      switch (field_) {
        case Field::kEnv:
        case Field::kDependsOn:
          return Enter();
        case Field::kUnknown:
          skip_from_ = depth_;
          return Enter();
        default:
          return Fail();
      }
    }
    if (depth_ == 2 && field_ == Field::kEnv) {
      pair_size_ = 0;
      return Enter();
    }
    if (depth_ == 2 && sub_is_unknown_) {
      skip_from_ = depth_;
      return Enter();
    }
    return Fail();
  }
  bool end_array() override {
    if (Leaving()) return true;
    if (depth_ == 3 && field_ == Field::kEnv) {
      if (pair_size_ != 2) return Fail();
      spec_.env.emplace_back(std::move(pair_[0]), std::move(pair_[1]));
    }
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return Fail();
  }

 private:
  bool Seen(Field f) const { return (seen_ & (uint32_t{1} << static_cast<int>(f))) != 0; }
  bool Fail() {
    ok_ = false;
    return false;
  }
  bool Enter() {
    ++depth_;
    return true;
  }
  // Inside a value whose key is not one of TaskSpecFromJson's (ignored, as it ignores it).
  bool Skipping() const { return skip_from_ >= 0; }
  // Ends a container; true when it was one being skipped (or inside one).
  bool Leaving() {
    if (!Skipping()) return false;
    if (--depth_ == skip_from_) skip_from_ = -1;
    return true;
  }

  bool Value(const Scalar& v) {
    if (Skipping()) return true;
    switch (depth_) {
      case 1:
        return TopLevel(v);
      case 2:
        return Member(v);
      case 3:
        if (field_ != Field::kEnv || v.kind != Scalar::Kind::kString || pair_size_ >= 2) {
          return Fail();
        }
        pair_[pair_size_++] = std::move(*v.s);
        return true;
      default:
        return Fail();  // a bare scalar is not a spec
    }
  }

  template <typename Int>
  bool Integer(const Scalar& v, Int* out) {
    if (!v.is_integer()) return Fail();
    *out = v.integer<Int>();
    return true;
  }
  bool Seconds(const Scalar& v, Duration* out) {
    if (!v.is_number()) return Fail();
    *out = SecondsToDuration(v.number());
    return true;
  }
  bool String(const Scalar& v, std::string* out) {
    if (v.kind != Scalar::Kind::kString) return Fail();
    *out = std::move(*v.s);
    return true;
  }

  bool TopLevel(const Scalar& v) {
    ResourceRequest& r = spec_.resources;
    switch (field_) {
      case Field::kUnknown:
        return true;
      case Field::kId:
        return String(v, &spec_.id);
      case Field::kCommand:
        return String(v, &spec_.command);
      case Field::kWorkdir:
        return String(v, &spec_.workdir);
      case Field::kCores:
        if (!Integer(v, &r.cores.min)) return false;
        r.cores.max = r.cores.min;
        return true;
      case Field::kMemory:
        return Integer(v, &r.memory_bytes);
      case Field::kMemoryAuto:
        if (v.kind != Scalar::Kind::kBool) return Fail();
        r.memory_auto = v.b;
        return true;
      case Field::kMemoryMax:
        return Integer(v, &spec_.memory_max_bytes);
      case Field::kGpus:
        return Integer(v, &r.gpus);
      case Field::kPriority:
        return Integer(v, &spec_.priority);
      case Field::kMaxRetries:
        return Integer(v, &spec_.max_retries);
      case Field::kTimeLimit:
        return Seconds(v, &spec_.time_limit.emplace());
      case Field::kTimeEstimate:
        return Seconds(v, &spec_.time_estimate.emplace());
      case Field::kGracePeriod:
        return Seconds(v, &spec_.grace_period);
      default:
        return Fail();  // a container field given a scalar
    }
  }

  bool Member(const Scalar& v) {
    switch (field_) {
      case Field::kUnknown:
        return true;
      case Field::kResources: {
        int64_t amount = 0;
        if (!Integer(v, &amount)) return false;
        spec_.resources.custom[std::move(map_key_)] = amount;
        return true;
      }
      case Field::kTags: {
        if (v.kind != Scalar::Kind::kString) return Fail();
        spec_.tags[std::move(map_key_)] = std::move(*v.s);
        return true;
      }
      case Field::kDependsOn:
        if (v.kind != Scalar::Kind::kString) return Fail();
        spec_.depends_on.push_back(std::move(*v.s));
        return true;
      case Field::kCores:
        return CoresMember(v);
      case Field::kRetryBackoff:
        return BackoffMember(v);
      case Field::kOrigin:
        return OriginMember(v);
      default:
        return Fail();  // env holds pairs, not scalars
    }
  }
  bool CoresMember(const Scalar& v) {
    CoreRequest& cores = spec_.resources.cores;
    switch (sub_) {
      case SubKey::kMin:
        cores_min_ = true;
        return Integer(v, &cores.min);
      case SubKey::kMax:
        cores_max_ = true;
        return Integer(v, &cores.max);
      default:
        return true;
    }
  }
  bool BackoffMember(const Scalar& v) {
    RetryBackoff& b = spec_.retry_backoff;
    switch (sub_) {
      case SubKey::kInitial:
        return Seconds(v, &b.initial);
      case SubKey::kFactor:
        if (!v.is_number()) return Fail();
        b.factor = v.number();
        return true;
      case SubKey::kMax:
        return Seconds(v, &b.max);
      default:
        return true;
    }
  }
  bool OriginMember(const Scalar& v) {
    switch (sub_) {
      case SubKey::kFile:
        return String(v, &spec_.origin.file);
      case SubKey::kLine:
        return Integer(v, &spec_.origin.line);
      default:
        return true;
    }
  }

  TaskSpec& spec_;
  bool ok_ = true;
  bool closed_ = false;
  int depth_ = 0;
  int skip_from_ = -1;  // the depth a skipped value starts at; -1: none
  uint32_t seen_ = 0;
  Field field_ = Field::kUnknown;
  SubKey sub_ = SubKey::kUnknown;
  bool sub_is_unknown_ = false;
  bool cores_min_ = false;
  bool cores_max_ = false;
  std::string map_key_;
  std::string pair_[2];
  int pair_size_ = 0;
};

static_assert(static_cast<int>(Field::kCount) <= 32, "seen_ has a bit per field");

}  // namespace

Result<TaskSpec> TaskSpecFromJsonText(std::string_view text) {
  TaskSpec spec;
  TaskSpecSax sax(&spec);
  bool parsed = false;
  try {
    parsed = json::sax_parse(text, &sax);
  } catch (const json::exception&) {
    parsed = false;
  }
  if (parsed && sax.complete()) return spec;
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption("task spec: not JSON");
  return TaskSpecFromJson(j);
}

}  // namespace allot
