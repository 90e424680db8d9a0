#include <gtest/gtest.h>

#include <clocale>
#include <string>

#include "table.hpp"

using sysmap::Table;

namespace
{

Table sample(bool raw, bool noheadings)
{
	Table t({{"MAPPING", 13, false, false},
	         {"PID", 5, true, false},
	         {"COMMAND", 0.3, false, true},
	         {"SEALED", 3, false, false}});
	t.set_raw(raw);
	t.set_noheadings(noheadings);
	t.add_row({"[vdso]", "12", "a b\\c\x01", "yes"});
	t.add_row({"[vvar_vclock]", "12345", std::nullopt, "no"});
	return t;
}

} // namespace

TEST(Table, BuiltinAlignsAndEscapes)
{
	EXPECT_EQ("MAPPING         PID COMMAND   SEALED\n"
	          "[vdso]           12 a b\\c\\x01 yes\n"
	          "[vvar_vclock] 12345           no\n",
	          sample(false, false).render_builtin());
}

TEST(Table, BuiltinRawAndNoheadings)
{
	EXPECT_EQ("[vdso] 12 a\\x20b\\x5cc\\x01 yes\n"
	          "[vvar_vclock] 12345  no\n",
	          sample(true, true).render_builtin());
}

TEST(Table, EmptyTable)
{
	Table t({{"A", 1, false, false}});
	EXPECT_EQ("A\n", t.render_builtin());
	t.set_noheadings(true);
	EXPECT_EQ("", t.render_builtin());
}

// The built-in renderer is a stand-in for libsmartcols: same output.
TEST(Table, BuiltinMatchesLibsmartcols)
{
	if (!sample(false, false).render_smartcols())
		GTEST_SKIP() << "built without libsmartcols (" << Table::backend() << " tables)";
	for (bool raw : {false, true})
		for (bool noheadings : {false, true}) {
			Table t = sample(raw, noheadings);
			EXPECT_EQ(*t.render_smartcols(), t.render_builtin())
			    << "raw " << raw << " noheadings " << noheadings;
		}
}

// Issue 24, 5: names and command lines come from other users, in any
// encoding. The built-in renderer escapes and measures them as
// libsmartcols does, in a UTF-8 locale and in the C locale: wide and
// combining characters, C1 controls, invalid and truncated sequences.
TEST(Table, BuiltinMatchesLibsmartcolsOnNonAscii)
{
	if (!sample(false, false).render_smartcols())
		GTEST_SKIP() << "built without libsmartcols (" << Table::backend() << " tables)";
	const char *values[] = {
	    "caf\xc3\xa9",              // é, one column
	    "\xe6\xbc\xa2\xe5\xad\x97", // two CJK characters, two columns each
	    "e\xcc\x81t\xc3\xa9",       // e + combining acute, zero columns
	    "\xf0\x9f\x98\x80 smile",   // an emoji, two columns
	    "c1\xc2\x85"
	    "ctl",              // NEL, a C1 control
	    "bad\xff\xfeutf8",  // invalid bytes
	    "cut\xe6\xbc",      // a truncated sequence
	    "zw\xe2\x80\x8bsp", // zero-width space
	    "nbsp\xc2\xa0x",    // no-break space
	};
	std::string saved = std::setlocale(LC_ALL, nullptr);
	for (const char *loc : {"C.UTF-8", "C"}) {
		if (!std::setlocale(LC_ALL, loc))
			continue;
		for (bool raw : {false, true}) {
			Table t({{"NAME", 5, false, false}, {"PID", 5, true, false}, {"TAIL", 3, false, false}});
			t.set_raw(raw);
			for (const char *v : values)
				t.add_row({v, "1", v});
			EXPECT_EQ(*t.render_smartcols(), t.render_builtin()) << "locale " << loc << " raw " << raw;
		}
	}
	std::setlocale(LC_ALL, saved.c_str());
}

TEST(Table, EncodeCell)
{
	EXPECT_EQ("a\\x1b[31m", sysmap::encode_cell("a\x1b[31m", false));
	EXPECT_EQ("tab\\x09", sysmap::encode_cell("tab\t", false));
	EXPECT_EQ("a\\x20b", sysmap::encode_cell("a b", true));
}

// Issue 24, 3: libsmartcols sized the table to the terminal, then the tool
// indented it by two: 82-character rows on 80 columns. The indentation is
// now part of the width.
TEST(Table, IndentedTableFitsTheTerminal)
{
	if (Table::backend() != "libsmartcols")
		GTEST_SKIP() << "built without libsmartcols: the built-in writer never truncates";
	Table t({{"MAPPING", 13, false, false},
	         {"START", 18, true, false},
	         {"END", 18, true, false},
	         {"FLAGS", 0.5, false, true},
	         {"SEALED", 3, false, false}});
	t.set_terminal_width(80);
	t.set_indent(2);
	std::string flags;
	for (int i = 0; i < 20; i++)
		flags += "rd ex mr mw me de sd ";
	t.add_row({"[vdso]", "0x7ffc1b5f9000", "0x7ffc1b5fb000", flags, "yes"});
	std::string out = t.render();
	ASSERT_FALSE(out.empty());
	for (std::size_t b = 0; b < out.size();) {
		auto e = out.find('\n', b);
		std::string line = out.substr(b, e - b);
		EXPECT_LE(line.size(), 80u) << line;
		EXPECT_TRUE(line.starts_with("  ")) << line;
		b = e + 1;
	}
	EXPECT_NE(std::string::npos, out.find("yes\n")) << "SEALED, after the truncated FLAGS, is shown";
}
