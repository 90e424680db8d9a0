#include <gtest/gtest.h>

#include "json.hpp"

using sysmap::JsonWriter;

TEST(Json, Structure)
{
	JsonWriter j;
	j.begin_object().key("a").value(1).key("b").value(true).key("c").begin_array();
	j.value("x").value(std::uint64_t{18446744073709551615ULL}).null().end_array();
	j.key("d").begin_object().end_object().end_object();
	EXPECT_EQ(R"({"a":1,"b":true,"c":["x",18446744073709551615,null],"d":{}})", j.str());
}

TEST(Json, EscapesControlAndQuotes)
{
	EXPECT_EQ(R"("a\"b\\c\nd\te\u0001")", JsonWriter::escape("a\"b\\c\nd\te\x01"));
}

TEST(Json, KeepsValidUtf8ReplacesInvalid)
{
	EXPECT_EQ("\"caf\xc3\xa9\"", JsonWriter::escape("caf\xc3\xa9"));
	EXPECT_EQ(R"("a\ufffdb")", JsonWriter::escape("a\xff"
	                                              "b"));
	EXPECT_EQ(R"("\ufffd")", JsonWriter::escape("\xc3"));           // truncated
	EXPECT_EQ(R"("\ufffd\ufffd")", JsonWriter::escape("\xc0\x80")); // overlong
}
