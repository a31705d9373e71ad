#include "model/yaml_source.h"

#include <gtest/gtest.h>

#include "model/source_doc_testing.h"

namespace allot {
namespace {

OrderedJson Read(const std::string& text, SourceDoc* doc) {
  SourceError error;
  EXPECT_TRUE(ParseYamlSource(text, doc, &error)) << error.message;
  return doc->root;
}

TEST(YamlSourceTest, PlainScalarsAreTypedQuotedStayStrings) {
  SourceDoc doc;
  OrderedJson j = Read(
      "i: 4\nneg: -3\nhex: 0x10\nf: 1.5\ne: 1e3\nb: true\nn: ~\nempty:\ns: 2G\nq: '4'\n"
      "dq: \"true\"\nyes: yes\nblock: |\n  echo hi\n",
      &doc);
  EXPECT_EQ(j["i"], 4);
  EXPECT_EQ(j["neg"], -3);
  EXPECT_EQ(j["hex"], 16);
  EXPECT_EQ(j["f"], 1.5);
  EXPECT_EQ(j["e"], 1000.0);
  EXPECT_EQ(j["b"], true);
  EXPECT_TRUE(j["n"].is_null());
  EXPECT_TRUE(j["empty"].is_null());
  EXPECT_EQ(j["s"], "2G");
  EXPECT_EQ(j["q"], "4");
  EXPECT_EQ(j["dq"], "true");
  EXPECT_EQ(j["yes"], "yes");
  EXPECT_EQ(j["block"], "echo hi\n");
}

TEST(YamlSourceTest, RecordsLinesOfKeysAndSequenceItems) {
  SourceDoc doc;
  Read("name: x\ntasks:\n  - id: a\n    cores: 2\n  - id: b\n    env:\n      A: 1\n", &doc);
  EXPECT_EQ(testing::LineAt(doc, "/tasks"), 2);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/0"), 3);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/0/cores"), 4);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/1/id"), 5);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/1/env/A"), 7);
}

TEST(YamlSourceTest, KeepsMappingOrder) {
  SourceDoc doc;
  EXPECT_EQ(Read("z: 1\na: 2\nm: 3\n", &doc).dump(), R"({"z":1,"a":2,"m":3})");
}

TEST(YamlSourceTest, AliasesCopyAndMergeKeysMergeWithExplicitKeysWinning) {
  SourceDoc doc;
  OrderedJson j =
      Read("base: &b\n  cores: 2\n  memory: 1G\nt:\n  <<: *b\n  cores: 4\nu: *b\n", &doc);
  EXPECT_EQ(j["t"]["cores"], 4);
  EXPECT_EQ(j["t"]["memory"], "1G");
  EXPECT_FALSE(j["t"].contains("<<"));
  EXPECT_EQ(j["u"]["cores"], 2);
  EXPECT_TRUE(doc.duplicate_keys.empty());
  // Merged and aliased members keep the lines of the anchor's definition.
  EXPECT_EQ(testing::LineAt(doc, "/t/memory"), 3);
  EXPECT_EQ(testing::LineAt(doc, "/t/cores"), 6);
  EXPECT_EQ(testing::LineAt(doc, "/u/cores"), 2);
}

TEST(YamlSourceTest, SyntaxErrorHasLineAndColumn) {
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseYamlSource("tasks:\n  - id: a\n    command: [x, y\n  - id: b\n", &doc, &error));
  EXPECT_GE(error.line, 3);
  EXPECT_GT(error.column, 0);
  EXPECT_FALSE(error.message.empty());
}

TEST(YamlSourceTest, ReportsDuplicateKeys) {
  SourceDoc doc;
  Read("a: 1\nb: 2\na: 3\n", &doc);
  ASSERT_EQ(doc.duplicate_keys.size(), 1u);
  EXPECT_EQ(doc.duplicate_keys[0].line, 3);
  EXPECT_EQ(doc.duplicate_keys[0].message, "duplicate key 'a' (first at line 1)");
}

TEST(YamlSourceTest, EmptyTextIsNull) {
  SourceDoc doc;
  EXPECT_TRUE(Read("", &doc).is_null());
  SourceDoc comments;
  EXPECT_TRUE(Read("# nothing here\n", &comments).is_null());
}

// Regression (issue 8.3): ten levels of anchors, each aliasing the previous one ten times,
// expand to 10^10 values; reading them exhausted memory.
TEST(YamlSourceTest, AliasBombIsRefusedBeforeItExpands) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 10; ++level) {
    std::string prev = "*a" + std::to_string(level - 1);
    text += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", " : "") + prev;
    text += "]\n";
  }
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseYamlSource(text, &doc, &error));
  EXPECT_NE(error.message.find("aliases expand"), std::string::npos) << error.message;
  EXPECT_GE(error.line, 2);
}

TEST(YamlSourceTest, ModestAliasUseIsAccepted) {
  std::string text = "base: &b {cores: 2, env: {A: '1', B: '2'}}\ntasks:\n";
  for (int i = 0; i < 2000; ++i) text += "  - {id: t" + std::to_string(i) + ", <<: *b}\n";
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(ParseYamlSource(text, &doc, &error)) << error.message;
  EXPECT_EQ(doc.root["tasks"].size(), 2000u);
}

// Regression (issue 8.4): invalid UTF-8 in a YAML scalar aborted allot when the value was
// later serialized.
TEST(YamlSourceTest, InvalidUtf8IsAnErrorNamingTheLine) {
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseYamlSource("tasks:\n  - id: a\n    command: \"tr\xf9ue\"\n", &doc, &error));
  EXPECT_EQ(error.line, 3);
  EXPECT_NE(error.message.find("UTF-8"), std::string::npos) << error.message;
  SourceDoc key_doc;
  ASSERT_FALSE(ParseYamlSource("a: 1\n\xff: 2\n", &key_doc, &error));
  EXPECT_EQ(error.line, 2);
}

TEST(YamlSourceTest, DeepNestingIsRefusedNamingTheLimit) {
  std::string text = std::string(5000, '[') + std::string(5000, ']');
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseYamlSource(text, &doc, &error));
  EXPECT_NE(error.message.find("nested more than"), std::string::npos) << error.message;
}

// Regression (issue 8.8): a second document after "---" was dropped without a word.
TEST(YamlSourceTest, SecondDocumentIsAnErrorNamingItsLine) {
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseYamlSource("- {id: a, command: 'true'}\n---\n- {id: b, command: 'true'}\n",
                               &doc, &error));
  EXPECT_EQ(error.line, 2);
  EXPECT_NE(error.message.find("one YAML document"), std::string::npos) << error.message;
  SourceDoc ok;
  EXPECT_TRUE(ParseYamlSource("---\n- {id: a, command: 'true'}\n...\n", &ok, &error))
      << error.message;
}

}  // namespace
}  // namespace allot
