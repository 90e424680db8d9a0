// libFuzzer target: parse_smaps() accepts any bytes, and what it returns
// is consistent: ranges are ordered, and a mapping is sealed exactly when
// "sl" is among its VmFlags.
#include <algorithm>
#include <sstream>
#include <string>

#include "sysmap/procfs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, std::size_t size)
{
	std::istringstream in(std::string(reinterpret_cast<const char *>(data), size));
	auto all = sysmap::parse_smaps(in);
	for (const auto &m : all) {
		bool sl = std::find(m.vm_flags.begin(), m.vm_flags.end(), "sl") != m.vm_flags.end();
		if (m.end < m.start || m.sealed != sl || m.perms.size() != 4)
			__builtin_trap();
	}
	for (const auto &m : sysmap::system_mappings(all))
		if (!sysmap::is_system_mapping(m.name))
			__builtin_trap();
	return 0;
}
