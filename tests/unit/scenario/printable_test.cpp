// tests/unit/scenario/printable_test.cpp: how text output shows strings from a
// scenario file (scenario/printable.h): control characters as visible escapes,
// printable UTF-8 as it is.
#include <gtest/gtest.h>

#include <string>

#include "scenario/printable.h"

using model::is_printable;
using model::printable;

TEST(Printable, ControlCharactersBecomeEscapes) {
  EXPECT_EQ(printable("plain text, (ok) [1] {2} ~ \\ / \" '"), "plain text, (ok) [1] {2} ~ \\ / \" '");
  EXPECT_EQ(printable("two\nlines\r\n\ttab"), "two\\nlines\\r\\n\\ttab");
  EXPECT_EQ(printable("\x1b[2Jclear"), "\\x1b[2Jclear");
  EXPECT_EQ(printable("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
  EXPECT_EQ(printable(std::string("nul\0byte", 8)), "nul\\x00byte");
  EXPECT_EQ(printable("del\x7f"), "del\\x7f");
}

TEST(Printable, Utf8StaysButC1AndBidiControlsAreEscaped) {
  EXPECT_EQ(printable("café → ✓ 日本 😀"), "café → ✓ 日本 😀");
  EXPECT_EQ(printable("\xc2\x9b"
                      "31m"),
            "\\u{9b}31m");  // CSI as a C1 control
  EXPECT_EQ(printable("\xc2\x85"), "\\u{85}");
  EXPECT_EQ(printable("a\xe2\x80\xae"
                      "b"),
            "a\\u{202e}b");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(printable("\xe2\x81\xa6\xe2\x80\xa8\xd8\x9c"), "\\u{2066}\\u{2028}\\u{61c}");
  EXPECT_EQ(printable("\xc2\xa0"), "\xc2\xa0");  // NO-BREAK SPACE is printable
}

TEST(Printable, BytesThatAreNotUtf8AreEscapedOneByOne) {
  EXPECT_EQ(printable("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(printable("\xc3("), "\\xc3(");                  // a lead byte without its continuation
  EXPECT_EQ(printable("\xe2\x82"), "\\xe2\\x82");           // truncated at the end
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // an encoded surrogate
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");           // overlong
  EXPECT_EQ(printable("ok\x80ok"), "ok\\x80ok");            // a stray continuation byte
}

TEST(Printable, IsPrintableAgreesWithPrintable) {
  for (const std::string s : {"", "abc", "é", "a\nb", "\x1b", "\xc2\x9b", "\xff", "\xe2\x80\xae", "tab\t"})
    EXPECT_EQ(is_printable(s), printable(s) == s) << printable(s);
}
