#include "model/source_doc.h"

namespace allot {
namespace {

const OrderedJson::object_t& Members(const OrderedJson& j) {
  return j.get_ref<const OrderedJson::object_t&>();
}

}  // namespace

SourceValue SourceValue::Child(size_t i) const {
  const LineNode* child =
      lines_ != nullptr && i < lines_->children.size() ? &lines_->children[i] : nullptr;
  const OrderedJson& value =
      value_->is_array() ? (*value_)[i] : (Members(*value_).begin() + i)->second;
  return SourceValue(value, child, line());
}

const std::string& SourceValue::KeyAt(size_t i) const {
  return (Members(*value_).begin() + i)->first;
}

std::optional<SourceValue> SourceValue::Find(std::string_view key) const {
  if (!value_->is_object()) return std::nullopt;
  const OrderedJson::object_t& members = Members(*value_);
  for (auto it = members.begin(); it != members.end(); ++it) {
    if (it->first == key) return Child(static_cast<size_t>(it - members.begin()));
  }
  return std::nullopt;
}

}  // namespace allot
