#include "model/json_source.h"

#include <gtest/gtest.h>

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
  EXPECT_EQ(doc.lines.Find("/tasks"), 2);
  EXPECT_EQ(doc.lines.Find("/tasks/0"), 3);
  EXPECT_EQ(doc.lines.Find("/tasks/0/id"), 3);
  EXPECT_EQ(doc.lines.Find("/tasks/0/cores"), 4);  // a number at the end of its line
  EXPECT_EQ(doc.lines.Find("/tasks/1"), 6);
  EXPECT_EQ(doc.lines.Find("/tasks/1/x/0"), 6);
  EXPECT_EQ(doc.lines.Find("/tasks/1/x/1"), 7);
}

TEST(JsonSourceTest, UnknownPathFallsBackToNearestAncestor) {
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(ParseJsonSource("[\n{\"id\": \"a\"}\n]", &doc, &error));
  EXPECT_EQ(doc.lines.Find("/0/cores/min"), 2);
}

TEST(JsonSourceTest, KeepsKeyOrderAndTypes) {
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(ParseJsonSource(R"({"z": 1, "a": 2.5, "m": "s", "b": true, "n": null})", &doc,
                              &error));
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

TEST(JsonSourceTest, EscapesSlashAndTildeInPaths) {
  SourceDoc doc;
  SourceError error;
  ASSERT_TRUE(ParseJsonSource("{\n\"a/b~\": 1}", &doc, &error));
  EXPECT_EQ(doc.lines.Find(ChildPath("", "a/b~")), 2);
  EXPECT_EQ(ChildPath("", "a/b~"), "/a~1b~0");
}

}  // namespace
}  // namespace allot
