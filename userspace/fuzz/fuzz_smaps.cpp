// libFuzzer target: parse_smaps() must accept any bytes without crashing.
#include <sstream>
#include <string>

#include "sysmap/procfs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, std::size_t size)
{
	std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
	auto all = sysmap::parse_smaps(in);
	auto sys = sysmap::system_mappings(all);
	for (const auto &m : all)
		if (m.end < m.start)
			__builtin_trap();
	return sys.size() > all.size() ? 1 : 0;
}
