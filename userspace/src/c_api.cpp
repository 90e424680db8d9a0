// The functions of <sysmap/sysmap.h> that are more than a prctl() call.
#include <cerrno>
#include <fstream>
#include <new>
#include <string>

#include "sysmap/policy.hpp"
#include "sysmap/procfs.hpp"
#include "sysmap/sysmap.h"

extern "C" int sysmap_read_state(pid_t pid, struct sysmap_state *state)
{
	if (!state || pid < 0) {
		errno = EINVAL;
		return -1;
	}
	const std::string path = pid == 0 ? "/proc/self/status" : "/proc/" + std::to_string(pid) + "/status";
	try {
		errno = 0;
		std::ifstream in(path);
		if (!in) {
			int err = errno;
			errno = err == ENOENT ? ESRCH : err ? err : EIO;
			return -1;
		}
		auto st = sysmap::parse_status_line(in);
		if (!st) {
			errno = ENODATA;
			return -1;
		}
		state->image_sealed = st->image_sealed;
		state->policy_seal = st->policy_seal;
		state->locked = st->locked;
		return 0;
	} catch (const std::invalid_argument &) {
		errno = EPROTO;
	} catch (const std::bad_alloc &) {
		errno = ENOMEM;
	} catch (...) {
		errno = EIO;
	}
	return -1;
}

extern "C" int sysmap_optout_level(void)
{
	auto level = sysmap::optout_level();
	if (!level) {
		errno = ENOENT;
		return -1;
	}
	return *level;
}

extern "C" const char *sysmap_version(void)
{
	return SYSMAP_VERSION;
}
