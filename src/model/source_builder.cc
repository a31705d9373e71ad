#include "model/source_builder.h"

namespace allot {

bool SourceBuilder::ExpectingKey() const {
  return !stack_.empty() && stack_.back().is_object && !stack_.back().has_key;
}

void SourceBuilder::Key(std::string key, int line) {
  Frame& f = stack_.back();
  f.key = std::move(key);
  f.key_line = line;
  f.has_key = true;
}

size_t SourceBuilder::FindMember(Frame& f) const {
  if (f.members.size() <= kIndexThreshold) {
    for (size_t i = 0; i < f.members.size(); ++i) {
      if (f.members[i].first == f.key) return i;
    }
    return std::string::npos;
  }
  if (f.index.empty()) {
    for (size_t i = 0; i < f.members.size(); ++i) f.index.emplace(f.members[i].first, i);
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
  if (!f.is_object) {
    f.container->push_back(std::move(value));
    f.node->children.push_back(LineNode{line, {}});
    OrderedJson* placed = &f.container->back();
    LineNode* lines = &f.node->children.back();
    if (f.is_task_list && !placed->is_structured()) Stream(placed, lines);
    return {placed, lines};
  }
  f.has_key = false;
  size_t pos = FindMember(f);
  if (pos != std::string::npos) {
    doc_->duplicate_keys.push_back({f.key_line, 0,
                                    "duplicate key '" + f.key + "' (first at line " +
                                        std::to_string(f.node->children[pos].line) + ")"});
    f.members[pos].second = std::move(value);
    f.node->children[pos] = LineNode{f.key_line, {}};
  } else {
    pos = f.members.size();
    if (!f.index.empty()) f.index.emplace(f.key, pos);
    f.members.emplace_back(std::move(f.key), std::move(value));
    f.node->children.push_back(LineNode{f.key_line, {}});
  }
  return {&f.members[pos].second, &f.node->children[pos]};
}

bool SourceBuilder::Open(OrderedJson empty, int line) {
  if (stack_.size() >= static_cast<size_t>(kMaxSourceDepth)) return false;
  bool is_object = empty.is_object();
  bool is_task_list =
      on_task_ && !is_object &&
      (stack_.empty() || (stack_.size() == 1 && stack_[0].is_object && stack_[0].key == "tasks"));
  auto [container, node] = Value(std::move(empty), line);
  Frame frame;
  frame.container = container;
  frame.node = node;
  frame.is_object = is_object;
  frame.is_task_list = is_task_list;
  if (is_task_list) doc_->task_list_streamed = true;
  stack_.push_back(std::move(frame));
  return true;
}

void SourceBuilder::Stream(OrderedJson* value, LineNode* lines) {
  on_task_(SourceValue(*value, lines, lines->line));
  *value = nullptr;
  std::vector<LineNode>().swap(lines->children);
}

std::pair<OrderedJson*, LineNode*> SourceBuilder::Close() {
  Frame& f = stack_.back();
  if (f.is_object) {
    auto& object = f.container->get_ref<OrderedJson::object_t&>();
    object.reserve(f.members.size());
    for (auto& [key, value] : f.members) object.emplace_back(std::move(key), std::move(value));
  }
  std::pair<OrderedJson*, LineNode*> done = {f.container, f.node};
  stack_.pop_back();
  if (!stack_.empty() && stack_.back().is_task_list) Stream(done.first, done.second);
  return done;
}

}  // namespace allot
