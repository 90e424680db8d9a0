// Decoding of one UTF-8 sequence, shared by the JSON and table writers.
#pragma once

#include <cstddef>
#include <string_view>

namespace sysmap
{

// Length of the valid UTF-8 sequence at s[i] (1 for ASCII), with its code
// point in cp; 0 when the bytes there are not valid UTF-8 (overlong forms,
// surrogates and values above U+10FFFF included).
inline std::size_t utf8_decode(std::string_view s, std::size_t i, unsigned &cp)
{
	auto c = static_cast<unsigned char>(s[i]);
	std::size_t len;
	unsigned min;
	if (c < 0x80) {
		cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (i + len > s.size())
		return 0;
	cp = c & (0x7f >> len);
	for (std::size_t k = 1; k < len; k++) {
		auto cc = static_cast<unsigned char>(s[i + k]);
		if ((cc & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (cc & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

} // namespace sysmap
