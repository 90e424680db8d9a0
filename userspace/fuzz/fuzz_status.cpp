// libFuzzer target: parse_status_line() either parses, finds nothing, or
// throws std::invalid_argument; parse_stat() either parses or finds
// nothing. Nothing else.
#include <sstream>
#include <stdexcept>
#include <string>

#include "sysmap/procfs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, std::size_t size)
{
	std::string text(reinterpret_cast<const char *>(data), size);
	std::istringstream in(text);
	try {
		(void)sysmap::parse_status_line(in);
	} catch (const std::invalid_argument &) {
	}
	if (auto st = sysmap::parse_stat(text); st && st->state == '\0' && text.find('\0') == std::string::npos)
		__builtin_trap(); // a state that is in no input
	return 0;
}
