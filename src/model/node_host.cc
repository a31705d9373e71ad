#include "model/node_host.h"

#include <set>

namespace allot {
namespace {

bool Plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

std::vector<std::string> NodeHostTokens(const std::vector<std::string>& worker_names) {
  std::vector<std::string> tokens;
  std::set<std::string> taken;
  for (const std::string& name : worker_names) {
    std::string token = name.empty() ? "node" : name;
    for (char& c : token) {
      if (!Plain(c)) c = '-';
    }
    std::string unique = token;
    for (int n = 2; taken.count(unique) != 0; ++n) unique = token + "-" + std::to_string(n);
    taken.insert(unique);
    tokens.push_back(std::move(unique));
  }
  return tokens;
}

}  // namespace allot
