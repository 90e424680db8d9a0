#include "json.hpp"
#include "utf8.hpp"

#include <cstdio>

namespace sysmap
{

void JsonWriter::comma()
{
	if (need_comma_)
		out_ += ',';
	need_comma_ = false;
}

JsonWriter &JsonWriter::raw(std::string_view token)
{
	comma();
	out_ += token;
	need_comma_ = true;
	return *this;
}

JsonWriter &JsonWriter::begin_object()
{
	comma();
	out_ += '{';
	return *this;
}

JsonWriter &JsonWriter::end_object()
{
	out_ += '}';
	need_comma_ = true;
	return *this;
}

JsonWriter &JsonWriter::begin_array()
{
	comma();
	out_ += '[';
	return *this;
}

JsonWriter &JsonWriter::end_array()
{
	out_ += ']';
	need_comma_ = true;
	return *this;
}

JsonWriter &JsonWriter::key(std::string_view k)
{
	comma();
	out_ += escape(k);
	out_ += ':';
	return *this;
}

JsonWriter &JsonWriter::value(std::string_view s)
{
	return raw(escape(s));
}

JsonWriter &JsonWriter::null()
{
	return raw("null");
}

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid.
static std::size_t utf8_length(std::string_view s, std::size_t i)
{
	unsigned cp;
	return utf8_decode(s, i, cp);
}

std::string JsonWriter::escape(std::string_view s)
{
	std::string out = "\"";
	for (std::size_t i = 0; i < s.size();) {
		auto c = static_cast<unsigned char>(s[i]);
		switch (c) {
		case '"':
			out += "\\\"";
			i++;
			continue;
		case '\\':
			out += "\\\\";
			i++;
			continue;
		case '\n':
			out += "\\n";
			i++;
			continue;
		case '\r':
			out += "\\r";
			i++;
			continue;
		case '\t':
			out += "\\t";
			i++;
			continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			char buf[8];
			std::snprintf(buf, sizeof(buf), "\\u%04x", c);
			out += buf;
			i++;
			continue;
		}
		// procfs names are bytes, not necessarily UTF-8: JSON must be.
		std::size_t len = utf8_length(s, i);
		if (len == 0) {
			out += "\\ufffd";
			i++;
		} else {
			out.append(s.substr(i, len));
			i += len;
		}
	}
	out += '"';
	return out;
}

} // namespace sysmap
