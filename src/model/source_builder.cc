#include "model/source_builder.h"

namespace allot {

bool SourceBuilder::ExpectingKey() const {
  return !stack_.empty() && stack_.back().container->is_object() && !stack_.back().has_key;
}

void SourceBuilder::Key(std::string key, int line) {
  Frame& f = stack_.back();
  f.key = std::move(key);
  f.key_line = line;
  f.has_key = true;
}

size_t SourceBuilder::FindMember(Frame& f) const {
  auto& members = f.container->get_ref<OrderedJson::object_t&>();
  if (members.size() <= kIndexThreshold) {
    for (size_t i = 0; i < members.size(); ++i) {
      if ((members.begin() + i)->first == f.key) return i;
    }
    return std::string::npos;
  }
  if (f.index.empty()) {
    for (size_t i = 0; i < members.size(); ++i) f.index.emplace((members.begin() + i)->first, i);
  }
  auto it = f.index.find(f.key);
  return it == f.index.end() ? std::string::npos : it->second;
}

std::pair<OrderedJson*, LineNode*> SourceBuilder::Value(OrderedJson value, int line) {
  if (stack_.empty()) {
    doc_->root = std::move(value);
    doc_->lines = LineNode{line, {}};
    return {&doc_->root, &doc_->lines};
  }
  Frame& f = stack_.back();
  if (f.container->is_array()) {
    f.container->push_back(std::move(value));
    f.node->children.push_back(LineNode{line, {}});
    return {&f.container->back(), &f.node->children.back()};
  }
  f.has_key = false;
  auto& members = f.container->get_ref<OrderedJson::object_t&>();
  size_t pos = FindMember(f);
  if (pos != std::string::npos) {
    doc_->duplicate_keys.push_back(
        {f.key_line, 0,
         "duplicate key '" + f.key + "' (first at line " +
             std::to_string(f.node->children[pos].line) + ")"});
    (members.begin() + pos)->second = std::move(value);
    f.node->children[pos] = LineNode{f.key_line, {}};
  } else {
    pos = members.size();
    if (!f.index.empty()) f.index.emplace(f.key, pos);
    members.emplace_back(std::move(f.key), std::move(value));
    f.node->children.push_back(LineNode{f.key_line, {}});
  }
  return {&(members.begin() + pos)->second, &f.node->children[pos]};
}

void SourceBuilder::Open(OrderedJson empty, int line) {
  auto [container, node] = Value(std::move(empty), line);
  Frame frame;
  frame.container = container;
  frame.node = node;
  stack_.push_back(std::move(frame));
}

std::pair<OrderedJson*, LineNode*> SourceBuilder::Top() const {
  return {stack_.back().container, stack_.back().node};
}

void SourceBuilder::Close() { stack_.pop_back(); }

}  // namespace allot
