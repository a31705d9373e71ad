#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace allot {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_EQ(FindInvalidUtf8(""), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("gr\xC3\xBC\xC3\x9F"), std::string_view::npos);  // grüß
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82\xAC \xF0\x9F\x98\x80"), std::string_view::npos);  // € 😀
}

TEST(Utf8Test, FindsTheFirstIllFormedSequence) {
  EXPECT_EQ(FindInvalidUtf8("tr\xF9ue"), 2u);             // lead byte, no continuation
  EXPECT_EQ(FindInvalidUtf8("ab\x80"), 2u);               // stray continuation
  EXPECT_EQ(FindInvalidUtf8("a\xC0\xAF"), 1u);            // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("a\xE0\x80\xAF"), 1u);        // overlong, 3 bytes
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);         // surrogate U+D800
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);     // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("ok\xE2\x82"), 2u);           // truncated at the end
  EXPECT_EQ(FindInvalidUtf8("\xFF"), 0u);
}

TEST(Utf8Test, DecodesCodePoints) {
  std::string_view s = "a\xC3\xBC\xE2\x80\xAE\xF0\x9F\x98\x80";
  size_t pos = 0;
  char32_t c = 0;
  ASSERT_TRUE(DecodeUtf8(s, &pos, &c));
  EXPECT_EQ(c, U'a');
  ASSERT_TRUE(DecodeUtf8(s, &pos, &c));
  EXPECT_EQ(c, 0xFCu);
  ASSERT_TRUE(DecodeUtf8(s, &pos, &c));
  EXPECT_EQ(c, 0x202Eu);
  ASSERT_TRUE(DecodeUtf8(s, &pos, &c));
  EXPECT_EQ(c, 0x1F600u);
  EXPECT_EQ(pos, s.size());
}

TEST(Utf8Test, InvisibleAndControlCodePoints) {
  for (char32_t c : {0x00u, 0x1Fu, 0x7Fu, 0x85u, 0xA0u, 0xADu, 0x200Bu, 0x200Fu, 0x2028u,
                     0x202Eu, 0x2066u, 0xFEFFu, 0xE0001u, 0x3000u}) {
    EXPECT_TRUE(IsInvisibleOrControl(c)) << std::hex << static_cast<unsigned>(c);
  }
  for (char32_t c : {0x20u, 0x41u, 0x7Eu, 0xE9u, 0x3B1u, 0x4E2Du, 0x1F600u, 0x2010u}) {
    EXPECT_FALSE(IsInvisibleOrControl(c)) << std::hex << static_cast<unsigned>(c);
  }
}

}  // namespace
}  // namespace allot

namespace allot {
namespace {

TEST(Utf8Test, EscapeForDisplayShowsWhatCouldHideOrReorderText) {
  EXPECT_EQ(EscapeForDisplay("sim-1"), "sim-1");
  EXPECT_EQ(EscapeForDisplay("b\xc3\xa9ta"), "b\xc3\xa9ta");  // visible non-ASCII stays
  EXPECT_EQ(EscapeForDisplay("run\xe2\x80\xae" "A"), "run<U+202E>A");  // right-to-left override
  EXPECT_EQ(EscapeForDisplay("a\xe2\x80\x8b" "b"), "a<U+200B>b");      // zero-width space
  EXPECT_EQ(EscapeForDisplay(std::string("a\nb\0c", 5)), "a<U+000A>b<U+0000>c");
  EXPECT_EQ(EscapeForDisplay("tr\xf9ue"), "tr<F9>ue");  // not UTF-8
}

}  // namespace
}  // namespace allot
