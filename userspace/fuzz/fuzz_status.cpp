// libFuzzer target: parse_status_line() either parses, finds nothing, or
// throws std::invalid_argument; nothing else.
#include <sstream>
#include <stdexcept>
#include <string>

#include "sysmap/procfs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, std::size_t size)
{
	std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
	try {
		(void)sysmap::parse_status_line(in);
	} catch (const std::invalid_argument &) {
	}
	return 0;
}
