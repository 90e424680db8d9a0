// What an attacker who controls a memory-management call would try against
// the vDSO: unmap it, move it, map over it, make it writable. Prints one
// line per attempt and exits 0 if every attempt was refused and the vDSO
// still answers, 1 if any attempt succeeded (the process is unprotected).
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <stdexcept>
#include <string>
#include <sys/mman.h>

#include "sysmap/procfs.hpp"

int main()
try {
	auto found = sysmap::find_mapping(0, "[vdso]");
	if (!found)
		throw std::runtime_error("this process has no [vdso]");
	const auto &vdso = *found;
	void *addr = reinterpret_cast<void *>(vdso.start);
	std::size_t len = vdso.size();
	int succeeded = 0;
	auto report = [&](const char *what, bool ok) {
		int err = errno;
		std::cout << "  " << what << ": "
		          << (ok ? "SUCCEEDED (the vDSO is not protected)"
		                 : std::string("refused, ") + std::strerror(err))
		          << "\n";
		succeeded += ok;
	};
	std::cout << "[vdso] at 0x" << std::hex << vdso.start << std::dec
	          << ", sealed: " << (vdso.sealed ? "yes" : "no") << "\n";
	void *spare = mmap(nullptr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (spare == MAP_FAILED)
		throw std::runtime_error(std::string("mmap: ") + std::strerror(errno));
	report("mprotect(vdso, RWX)", mprotect(addr, len, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
	report("mmap(MAP_FIXED) over vdso",
	       mmap(addr, len, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED);
	if (succeeded)
		return 1; // the vDSO is gone or changed; do not call it
	report("mremap(vdso) elsewhere", mremap(addr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, spare) != MAP_FAILED);
	if (succeeded)
		return 1;
	report("munmap(vdso)", munmap(addr, len) == 0);
	if (succeeded)
		return 1;
	timespec ts{};
	bool works = clock_gettime(CLOCK_MONOTONIC, &ts) == 0;
	std::cout << "  clock_gettime() through the vDSO afterwards: " << (works ? "works" : "FAILS") << "\n";
	return works ? 0 : 1;
} catch (const std::exception &e) {
	std::cerr << "vdso_attack: " << e.what() << "\n";
	return 2;
}
