#include "table.hpp"
#include "utf8.hpp"

#include <algorithm>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwctype>
#include <memory>
#include <stdexcept>
#include <wchar.h>

#ifdef SYSMAP_HAVE_SMARTCOLS
#include <libsmartcols.h>
#endif

namespace sysmap
{

namespace
{

// Length of the valid multi-byte UTF-8 sequence at s[i], if the locale
// prints its character (as libsmartcols asks iswprint()), or 0. C1 controls
// are no more printable than C0 ones.
std::size_t utf8_length(std::string_view s, std::size_t i)
{
	unsigned cp;
	std::size_t len = utf8_decode(s, i, cp);
	if (len < 2 || !std::iswprint(static_cast<wint_t>(cp)))
		return 0;
	return len;
}

bool utf8_locale()
{
	return MB_CUR_MAX > 1;
}

// Display width of an encoded cell (ASCII and printable UTF-8 only), as a
// terminal shows it: wide characters take two columns, combining and
// zero-width ones none.
std::size_t width(std::string_view s)
{
	std::size_t w = 0;
	for (std::size_t i = 0; i < s.size();) {
		unsigned cp;
		std::size_t len = utf8_decode(s, i, cp);
		if (len == 0) { // not produced by encode_cell; one column a byte
			w++;
			i++;
			continue;
		}
		int cw = len == 1 ? 1 : ::wcwidth(static_cast<wchar_t>(cp));
		w += cw > 0 ? static_cast<std::size_t>(cw) : 0;
		i += len;
	}
	return w;
}

} // namespace

std::string encode_cell(std::string_view s, bool raw)
{
	std::string out;
	bool utf8 = utf8_locale();
	for (std::size_t i = 0; i < s.size();) {
		auto c = static_cast<unsigned char>(s[i]);
		bool blank = c == ' ' || c == '\t';
		if (c >= 0x20 && c < 0x7f && !(raw && (blank || c == '\\'))) {
			out += static_cast<char>(c);
			i++;
			continue;
		}
		// Raw output is for scripts: every byte outside ASCII is escaped.
		if (c >= 0x80 && utf8 && !raw) {
			if (std::size_t len = utf8_length(s, i)) {
				out.append(s.substr(i, len));
				i += len;
				continue;
			}
		}
		char buf[8];
		std::snprintf(buf, sizeof(buf), "\\x%02x", c);
		out += buf;
		i++;
	}
	return out;
}

std::string Table::render_builtin() const
{
	const std::size_t n = columns_.size();
	std::vector<std::vector<std::string>> cells;
	if (!noheadings_) {
		std::vector<std::string> head;
		for (const auto &c : columns_)
			head.push_back(raw_ ? encode_cell(c.name, true) : c.name);
		cells.push_back(std::move(head));
	}
	for (const auto &row : rows_) {
		std::vector<std::string> line(n);
		for (std::size_t i = 0; i < n && i < row.size(); i++)
			if (row[i])
				line[i] = encode_cell(*row[i], raw_);
		cells.push_back(std::move(line));
	}
	std::vector<std::size_t> widths(n, 0);
	for (const auto &line : cells)
		for (std::size_t i = 0; i < n; i++)
			widths[i] = std::max(widths[i], width(line[i]));
	std::string out;
	for (const auto &line : cells) {
		std::string text;
		for (std::size_t i = 0; i < n; i++) {
			if (i)
				text += ' ';
			if (raw_) {
				text += line[i];
				continue;
			}
			std::size_t pad = widths[i] - width(line[i]);
			if (columns_[i].right)
				text.append(pad, ' ').append(line[i]);
			else if (i + 1 < n)
				text.append(line[i]).append(pad, ' ');
			else
				text += line[i]; // no trailing blanks
		}
		out += text + '\n';
	}
	return out;
}

#ifdef SYSMAP_HAVE_SMARTCOLS
std::optional<std::string> Table::render_smartcols() const
{
	std::unique_ptr<libscols_table, void (*)(libscols_table *)> tb(scols_new_table(), scols_unref_table);
	if (!tb)
		throw std::bad_alloc();
	scols_table_enable_raw(tb.get(), raw_);
	scols_table_enable_noheadings(tb.get(), noheadings_);
	if (terminal_width_) {
		scols_table_set_termforce(tb.get(), SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb.get(), *terminal_width_);
	}
	if (indent_)
		scols_table_reduce_termwidth(tb.get(), indent_);
	for (const auto &c : columns_) {
		int flags = (c.right ? SCOLS_FL_RIGHT : 0) | (c.trunc ? SCOLS_FL_TRUNC : 0);
		if (!scols_table_new_column(tb.get(), c.name.c_str(), c.whint, flags))
			throw std::bad_alloc();
	}
	for (const auto &row : rows_) {
		libscols_line *ln = scols_table_new_line(tb.get(), nullptr);
		if (!ln)
			throw std::bad_alloc();
		for (std::size_t i = 0; i < columns_.size() && i < row.size(); i++)
			if (row[i] && scols_line_set_data(ln, i, row[i]->c_str()) != 0)
				throw std::bad_alloc();
	}
	char *data = nullptr;
	if (scols_print_table_to_string(tb.get(), &data) != 0)
		throw std::runtime_error("libsmartcols could not print a table");
	std::unique_ptr<char, void (*)(void *)> owned(data, std::free);
	std::string out = data ? data : "";
	if (!out.empty() && out.back() != '\n')
		out += '\n';
	return out;
}
#else
std::optional<std::string> Table::render_smartcols() const
{
	return std::nullopt;
}
#endif

std::string Table::indented(std::string text) const
{
	if (!indent_)
		return text;
	std::string out, pad(indent_, ' ');
	for (std::size_t b = 0; b < text.size();) {
		auto e = text.find('\n', b);
		out += pad + text.substr(b, e == std::string::npos ? e : e - b + 1);
		if (e == std::string::npos)
			break;
		b = e + 1;
	}
	return out;
}

std::string Table::render() const
{
	if (auto s = render_smartcols())
		return indented(std::move(*s));
	return indented(render_builtin());
}

std::string_view Table::backend()
{
#ifdef SYSMAP_HAVE_SMARTCOLS
	return "libsmartcols";
#else
	return "built-in";
#endif
}

} // namespace sysmap
