#include "model/json_source.h"

#include <gtest/gtest.h>

#include "model/source_doc_testing.h"

namespace allot {
namespace {

TEST(JsonSourceTest, RecordsLineOfEveryKeyAndElement) {
  const char* text = R"({
  "tasks": [
    {"id": "a",
     "cores": 4
    },
    {"id": 1, "x": [1,
       2]}
  ]
})";
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(ParseJsonSource(text, &doc, &error)) << error.message;
  EXPECT_EQ(testing::LineAt(doc, "/tasks"), 2);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/0"), 3);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/0/id"), 3);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/0/cores"), 4);  // a number at the end of its line
  EXPECT_EQ(testing::LineAt(doc, "/tasks/1"), 6);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/1/x/0"), 6);
  EXPECT_EQ(testing::LineAt(doc, "/tasks/1/x/1"), 7);
}

TEST(JsonSourceTest, RootLineIsWhereTheDocumentStarts) {
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(ParseJsonSource("\n\n[\n{\"id\": \"a\"}\n]", &doc, &error));
  EXPECT_EQ(SourceValue(doc).line(), 3);
  EXPECT_EQ(testing::LineAt(doc, "/0/id"), 4);
}

TEST(JsonSourceTest, KeepsKeyOrderAndTypes) {
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(
      ParseJsonSource(R"({"z": 1, "a": 2.5, "m": "s", "b": true, "n": null})", &doc, &error));
  EXPECT_EQ(doc.root.dump(), R"({"z":1,"a":2.5,"m":"s","b":true,"n":null})");
}

TEST(JsonSourceTest, SyntaxErrorHasLineAndColumn) {
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseJsonSource("[\n {\"id\": 1,\n  \"cores\": 2,}\n]", &doc, &error));
  EXPECT_EQ(error.line, 3);
  EXPECT_EQ(error.column, 14);
  EXPECT_NE(error.message.find("expected string literal"), std::string::npos) << error.message;
}

TEST(JsonSourceTest, ReportsDuplicateKeysWithBothLines) {
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(ParseJsonSource("{\"a\": 1,\n\"a\": 2}", &doc, &error));
  ASSERT_EQ(doc.duplicate_keys.size(), 1u);
  EXPECT_EQ(doc.duplicate_keys[0].line, 2);
  EXPECT_EQ(doc.duplicate_keys[0].message, "duplicate key 'a' (first at line 1)");
  EXPECT_EQ(doc.root["a"], 2);
}

TEST(JsonSourceTest, ManyKeysStillFindDuplicates) {
  std::string text = "{";
  for (int i = 0; i < 100; ++i) {
    text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ",\n";
  }
  text += "\"k7\": 70}";
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(ParseJsonSource(text, &doc, &error));
  ASSERT_EQ(doc.duplicate_keys.size(), 1u);
  EXPECT_EQ(doc.duplicate_keys[0].line, 101);
  EXPECT_EQ(doc.root["k7"], 70);
  EXPECT_EQ(doc.root.size(), 100u);
  EXPECT_EQ(testing::LineAt(doc, "/k7"), 101);
  EXPECT_EQ(testing::LineAt(doc, "/k8"), 9);
}

// Regression (issue 8.1): a truncated file with a 30,000-character string made the error
// message huge, and a std::regex over it overflowed the stack.
TEST(JsonSourceTest, LongUnterminatedStringIsAnErrorWithAShortMessage) {
  std::string text = "[{\"id\": \"t\",\n \"command\": \"" + std::string(30000, 'x');
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseJsonSource(text, &doc, &error));
  EXPECT_EQ(error.line, 2);
  EXPECT_GT(error.column, 30000);
  EXPECT_LT(error.message.size(), 300u) << error.message;
  EXPECT_NE(error.message.find("missing closing quote"), std::string::npos) << error.message;
}

// Regression (issue 8.2): 500,000 nested arrays overflowed the stack when the document was
// destroyed.
TEST(JsonSourceTest, DeepNestingIsRefusedNamingTheLimitAndLine) {
  std::string text = "[\n" + std::string(500000, '[') + std::string(500000, ']') + "]";
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseJsonSource(text, &doc, &error));
  EXPECT_EQ(error.line, 2);
  EXPECT_NE(error.message.find("nested more than " + std::to_string(kMaxSourceDepth)),
            std::string::npos)
      << error.message;
}

TEST(JsonSourceTest, NestingUpToTheLimitIsAccepted) {
  const int depth = kMaxSourceDepth;
  std::string text = std::string(depth, '[') + std::string(depth, ']');
  SourceDoc doc;
  SourceError error;
  EXPECT_TRUE(ParseJsonSource(text, &doc, &error)) << error.message;
  std::string deeper = "[" + text + "]";
  EXPECT_FALSE(ParseJsonSource(deeper, &doc, &error));
}

TEST(JsonSourceTest, DeepObjectsAreRefusedToo) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "{\"a\":";
  text += "1" + std::string(1000, '}');
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseJsonSource(text, &doc, &error));
  EXPECT_NE(error.message.find("nested more than"), std::string::npos) << error.message;
}

// Found by the fuzzer: the quoted token is cut where nlohmann's "expected ..." begins, and
// bytes that are not printable UTF-8 are escaped.
TEST(JsonSourceTest, SyntaxErrorQuotesTheTokenSafely) {
  SourceDoc doc;
  SourceError error;
  ASSERT_FALSE(ParseJsonSource("{\n \"abc\xff\x04\"", &doc, &error));
  EXPECT_EQ(error.line, 2);
  EXPECT_NE(error.message.find("last read: '\"abc\\xFF'"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("; expected string literal"), std::string::npos) << error.message;
  EXPECT_EQ(error.message.find('\xff'), std::string::npos);
}

}  // namespace
}  // namespace allot
