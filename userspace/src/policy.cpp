#include "sysmap/policy.hpp"

#include <cerrno>
#include <cstring>
#include <sys/prctl.h>

// The series installs these in <linux/prctl.h>; build against stock
// headers too. The values are the kernel ABI and must match.
#ifndef PR_GET_MSEAL_SYSTEM_MAPPINGS
#define PR_GET_MSEAL_SYSTEM_MAPPINGS 0x4d534c47
#define PR_SET_MSEAL_SYSTEM_MAPPINGS 0x4d534c53
#define PR_MSEAL_SYSMAP_SEAL (1UL << 0)
#define PR_MSEAL_SYSMAP_LOCK (1UL << 1)
#endif
static_assert(PR_MSEAL_SYSMAP_SEAL == sysmap::kFlagSeal);
static_assert(PR_MSEAL_SYSMAP_LOCK == sysmap::kFlagLock);

namespace sysmap
{

namespace
{

constexpr const char *kUnsupported =
    "this kernel does not seal system mappings (built without CONFIG_MSEAL_SYSTEM_MAPPINGS, "
    "or older than the sysmap-seal series); nothing is sealed here";

} // namespace

bool kernel_supports_sealing()
{
	return prctl(PR_GET_MSEAL_SYSTEM_MAPPINGS, 0, 0, 0, 0) >= 0;
}

Policy get_policy()
{
	int ret = prctl(PR_GET_MSEAL_SYSTEM_MAPPINGS, 0, 0, 0, 0);
	if (ret < 0) {
		int err = errno;
		if (err == EINVAL)
			throw PolicyError(PolicyError::Kind::Unsupported, EINVAL, kUnsupported);
		throw PolicyError(PolicyError::Kind::Other, err,
		                  std::string("reading the sealing policy failed: ") + std::strerror(err) +
		                      " (is a seccomp filter blocking prctl?)");
	}
	return Policy::from_flags(static_cast<unsigned long>(ret));
}

PolicyError policy_error(int err, const Policy &wanted)
{
	using Kind = PolicyError::Kind;
	switch (err) {
	case EPERM:
		if (!wanted.seal)
			return PolicyError(Kind::NotPermitted, err,
			                   "turning sealing off needs CAP_CHECKPOINT_RESTORE (or CAP_SYS_ADMIN) "
			                   "in the initial user namespace, or the policy is locked: run as root, "
			                   "or grant the capability to the launcher, e.g. "
			                   "'setcap cap_checkpoint_restore+ep sysmapctl'");
		return PolicyError(Kind::Locked, err,
		                   "the sealing policy of this process is locked (PR_MSEAL_SYSMAP_LOCK was "
		                   "set here or by an ancestor) and can no longer change");
	case EINVAL:
		return PolicyError(Kind::Unsupported, err, kUnsupported);
	default:
		return PolicyError(Kind::Other, err,
		                   std::string("setting the sealing policy failed: ") + std::strerror(err));
	}
}

void set_policy(const Policy &policy)
{
	if (policy.lock && !policy.seal)
		throw PolicyError(PolicyError::Kind::Invalid, EINVAL, "a lock needs sealing on: use --seal --lock");
	if (prctl(PR_SET_MSEAL_SYSTEM_MAPPINGS, policy.flags(), 0, 0, 0) == 0)
		return;
	int err = errno;
	// EPERM on a locked policy is not about capabilities: say which.
	if (err == EPERM && !policy.seal) {
		int cur = prctl(PR_GET_MSEAL_SYSTEM_MAPPINGS, 0, 0, 0, 0);
		if (cur >= 0 && (cur & PR_MSEAL_SYSMAP_LOCK))
			throw policy_error(EPERM, Policy{true, true});
	}
	throw policy_error(err, policy);
}

} // namespace sysmap
