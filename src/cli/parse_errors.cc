#include "cli/parse_errors.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

#include "model/did_you_mean.h"

namespace allot {
namespace {

// Options of other tools that people type for ours.
const std::map<std::string, std::string, std::less<>>& Synonyms() {
  static const auto* synonyms = new std::map<std::string, std::string, std::less<>>{
      {"--cpus", "--cores"},   {"--ncpus", "--cores"},  {"--jobs", "--cores"},
      {"--threads", "--cores"}, {"--mem", "--memory"},  {"--dir", "--workdir"},
      {"--ntasks", "--cores"}};
  return *synonyms;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The long option names of `app` ("--cores").
std::vector<std::string> LongOptions(CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app->get_options()) {
    for (const std::string& name : o->get_lnames()) out.push_back("--" + name);
  }
  return out;
}

}  // namespace

std::optional<std::string> ExplainParseError(CLI::App& app, int argc, char** argv) {
  // The deepest command given; a word where a command of it was expected that is none.
  CLI::App* command = &app;
  std::string path = "allot";
  int i = 1;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') break;
    std::vector<std::string> commands;
    for (const CLI::App* sub : command->get_subcommands([](CLI::App*) { return true; })) {
      commands.push_back(sub->get_name());
    }
    if (commands.empty()) break;  // a positional argument of `command`
    if (std::find(commands.begin(), commands.end(), arg) == commands.end()) {
      std::vector<std::string_view> candidates(commands.begin(), commands.end());
      const std::string guess = DidYouMean(arg, candidates);
      return path + ": unknown command '" + arg + "'" +
             (guess.empty() ? "" : " (did you mean '" + guess + "'?)") + "; the commands: " +
             Joined(commands);
    }
    command = command->get_subcommand(arg);
    path += " " + arg;
  }
  // An option the command does not have.
  const std::vector<std::string> options = LongOptions(command);
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;  // what follows is positional
    if (arg.rfind("--", 0) != 0) continue;
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(options.begin(), options.end(), name) != options.end()) continue;
    std::string guess;
    auto synonym = Synonyms().find(name);
    if (synonym != Synonyms().end() &&
        std::find(options.begin(), options.end(), synonym->second) != options.end()) {
      guess = synonym->second;
    } else {
      std::vector<std::string_view> candidates(options.begin(), options.end());
      guess = DidYouMean(name, candidates);
    }
    return path + ": unknown option '" + name + "'" +
           (guess.empty() ? "" : " (did you mean '" + guess + "'?)") + "; see `" + path +
           " --help`";
  }
  return std::nullopt;
}

}  // namespace allot
