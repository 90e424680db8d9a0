// The flow a checkpoint/restore integration follows on a sealing kernel,
// performed on itself: started opted out (sysmapctl exec --unseal), it moves
// its vDSO and vvar as a restore does, seals them with mseal(), turns the
// policy back to SEAL, drops CAP_CHECKPOINT_RESTORE, and checks that it
// ends fully sealed: mappings sealed now, and sealed again after execve().
//
//   restore_flow          run the flow, print each step, exit 0 if sealed
//   restore_flow --after  (internal) report the state after re-execution
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <linux/capability.h>
#include <optional>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#include "sysmap/policy.hpp"
#include "sysmap/procfs.hpp"

#ifndef SYS_mseal
#define SYS_mseal 462 // the same number on every architecture
#endif

namespace
{

std::optional<sysmap::Mapping> find(const char *name)
{
	return sysmap::find_mapping(0, name);
}

sysmap::SealState state()
{
	std::ifstream f("/proc/self/status");
	auto st = sysmap::parse_status_line(f);
	if (!st)
		throw std::runtime_error("no Mseal_sysmap: line; is this the sealing kernel?");
	return *st;
}

bool step(const char *what, bool ok)
{
	std::cout << (ok ? "  ok    " : "  FAIL  ") << what << (ok ? "" : std::string(": ") + std::strerror(errno))
	          << "\n";
	return ok;
}

bool drop_checkpoint_restore()
{
	__user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[2]{};
	if (syscall(SYS_capget, &hdr, data))
		return false;
	for (auto cap : {CAP_CHECKPOINT_RESTORE, CAP_SYS_ADMIN}) {
		data[cap / 32].effective &= ~(1u << (cap % 32));
		data[cap / 32].permitted &= ~(1u << (cap % 32));
		data[cap / 32].inheritable &= ~(1u << (cap % 32));
	}
	return syscall(SYS_capset, &hdr, data) == 0 && prctl(PR_CAPBSET_DROP, CAP_CHECKPOINT_RESTORE) == 0 &&
	       prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) == 0;
}

int after()
{
	auto vdso = find("[vdso]");
	auto st = state();
	std::cout << "  after execve(): image " << (st.image_sealed ? "sealed" : "unsealed") << ", [vdso] "
	          << (vdso && vdso->sealed ? "sealed" : "not sealed") << "\n";
	return st.image_sealed && vdso && vdso->sealed ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
try {
	if (argc == 2 && std::string(argv[1]) == "--after")
		return after();
	bool ok = true;
	ok &= step("started opted out (policy unseal, image unsealed)", !state().policy_seal && !state().image_sealed);
	// The vDSO's data pages lie directly below it: [vvar], and on x86 since
	// Linux 6.13 [vvar_vclock] between the two.
	auto vvar = find("[vvar]"), vclock = find("[vvar_vclock]"), vdso = find("[vdso]");
	if (!vvar || !vdso)
		return step("[vvar] and [vdso] found", false), 1;
	std::vector<sysmap::Mapping> data{*vvar};
	if (vclock)
		data.push_back(*vclock);
	for (std::size_t i = 0; i < data.size(); i++)
		if (data[i].end != (i + 1 < data.size() ? data[i + 1].start : vdso->start))
			return step("[vvar] (and [vvar_vclock]) directly below [vdso]", false), 1;

	// 1. Restore: move the data pages and vdso together to where the image
	// had them, one mapping at a time, as criu's restorer does.
	std::size_t total = vdso->end - vvar->start, off = vdso->start - vvar->start;
	void *area = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return step("reserved room for the restored mappings", false), 1;
	char *to = static_cast<char *>(area);
	for (const auto &m : data)
		ok &= step(("moved " + m.name + " with mremap()").c_str(),
		           mremap(reinterpret_cast<void *>(m.start), m.size(), m.size(), MREMAP_MAYMOVE | MREMAP_FIXED,
		                  to + (m.start - vvar->start)) != MAP_FAILED);
	ok &=
	    step("moved [vdso] with mremap()", mremap(reinterpret_cast<void *>(vdso->start), vdso->size(), vdso->size(),
	                                              MREMAP_MAYMOVE | MREMAP_FIXED, to + off) != MAP_FAILED);
	// 2. Seal what was restored.
	ok &= step("mseal() on the moved data pages and [vdso]", syscall(SYS_mseal, to, total, 0) == 0);
	auto nvdso = find("[vdso]"), nvvar = find("[vvar]"), nvclock = find("[vvar_vclock]");
	ok &= step("[vdso] and its data pages now sealed in place",
	           nvdso && nvvar && nvdso->sealed && nvvar->sealed && (!vclock || (nvclock && nvclock->sealed)) &&
	               nvdso->start == reinterpret_cast<std::uintptr_t>(to + off));
	ok &= step("a sealed [vdso] can no longer be moved back",
	           mremap(to + off, vdso->size(), vdso->size(), MREMAP_MAYMOVE | MREMAP_FIXED,
	                  reinterpret_cast<void *>(vdso->start)) == MAP_FAILED &&
	               errno == EPERM);
	// 3. Policy back on, for what this process executes later.
	try {
		sysmap::set_policy({true, false});
		ok &= step("policy set back to SEAL", true);
	} catch (const sysmap::PolicyError &e) {
		std::cout << "  FAIL  policy set back to SEAL: " << e.what() << "\n";
		ok = false;
	}
	// 4. Drop the capability: it can never opt out again.
	ok &= step("dropped CAP_CHECKPOINT_RESTORE and CAP_SYS_ADMIN", drop_checkpoint_restore());
	try {
		sysmap::set_policy({false, false});
		ok &= step("opting out again is refused", false);
	} catch (const sysmap::PolicyError &e) {
		errno = e.error_number();
		ok &= step("opting out again is refused (EPERM)", e.error_number() == EPERM);
	}
	if (!ok)
		return 1;
	std::cout.flush();
	execl("/proc/self/exe", argv[0], "--after", static_cast<char *>(nullptr));
	return step("execve() self", false), 1;
} catch (const std::exception &e) {
	std::cerr << "restore_flow: " << e.what() << "\n";
	return 2;
}
