// Tables for sysmapctl's output: libsmartcols when the build has it, and a
// small renderer of the same format when it does not (static builds: no
// distribution ships a static libsmartcols).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sysmap
{

class Table
{
public:
	struct Column {
		std::string name;
		double whint = 0;
		bool right = false; // align to the right
		bool trunc = false; // may be truncated to fit a terminal
	};
	using Row = std::vector<std::optional<std::string>>; // nullopt: an empty cell

	explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
	void set_raw(bool raw) { raw_ = raw; }
	void set_noheadings(bool noheadings) { noheadings_ = noheadings; }
	void add_row(Row row) { rows_.push_back(std::move(row)); }
	bool empty() const { return rows_.empty(); }
	// Print each line after `n` spaces, within the terminal's width: the
	// table is sized to the width less the indentation.
	void set_indent(std::size_t n) { indent_ = n; }
	// Size the table as for a terminal of `columns` (tests).
	void set_terminal_width(std::size_t columns) { terminal_width_ = columns; }

	// The table, one line per row, each ending in a newline. Values are
	// made safe for a terminal: control characters, characters the locale
	// does not print and invalid UTF-8 are written as \xNN; in raw output,
	// blanks, backslashes and every byte outside ASCII are too. Widths are
	// display columns (wcwidth). All of it as libsmartcols does.
	std::string render() const;
	std::string render_builtin() const;
	std::optional<std::string> render_smartcols() const; // nullopt: built without libsmartcols

	// "libsmartcols" or "built-in".
	static std::string_view backend();

private:
	std::vector<Column> columns_;
	std::vector<Row> rows_;
	bool raw_ = false;
	bool noheadings_ = false;
	std::size_t indent_ = 0;
	std::optional<std::size_t> terminal_width_;

	std::string indented(std::string text) const;
};

// Encode a cell value the way render_builtin() prints it.
std::string encode_cell(std::string_view s, bool raw);

} // namespace sysmap
