#include "sysmap/policy.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fd.hpp"
#include "sysmap/sysmap.h"

static_assert(PR_MSEAL_SYSMAP_SEAL == sysmap::kFlagSeal);
static_assert(PR_MSEAL_SYSMAP_LOCK == sysmap::kFlagLock);
static_assert(PR_MSEAL_SYSMAP_IMAGE == sysmap::kFlagImage);
static_assert(PR_MSEAL_SYSTEM_MAPPINGS == 82);
static_assert(PR_MSEAL_SYSMAP_GET == 1 && PR_MSEAL_SYSMAP_SET == 2 && PR_MSEAL_SYSMAP_SEAL_IMAGE == 3);

namespace sysmap
{

namespace
{

constexpr const char *kUnsupported =
    "this kernel does not seal system mappings (built without CONFIG_MSEAL_SYSTEM_MAPPINGS, "
    "or without prctl(PR_MSEAL_SYSTEM_MAPPINGS)); nothing is sealed here";

constexpr const char *kShared = "the address space is shared with another process (a vfork() child, or "
                                "clone(CLONE_VM) without CLONE_THREAD)";

// prctl(PR_MSEAL_SYSTEM_MAPPINGS, op, arg3, 0, 0): the kernel refuses any
// unused argument that is not 0 (EINVAL), and reads each as an unsigned
// long, so each is passed as one.
int mseal_prctl(unsigned long op, unsigned long arg3 = 0)
{
	return prctl(PR_MSEAL_SYSTEM_MAPPINGS, op, arg3, 0UL, 0UL);
}

// The same, retried when a signal interrupts it.
int mseal_prctl_retried(unsigned long op, unsigned long arg3 = 0)
{
	int ret;
	do
		ret = mseal_prctl(op, arg3);
	while (ret < 0 && errno == EINTR);
	return ret;
}

int prctl_get()
{
	return mseal_prctl(PR_MSEAL_SYSMAP_GET);
}

int prctl_set(unsigned long policy)
{
	return mseal_prctl_retried(PR_MSEAL_SYSMAP_SET, policy);
}

int prctl_seal_image()
{
	return mseal_prctl_retried(PR_MSEAL_SYSMAP_SEAL_IMAGE);
}

std::optional<Policy> current_policy()
{
	int ret = prctl_get();
	if (ret < 0)
		return std::nullopt;
	return Policy::from_flags(static_cast<unsigned long>(ret));
}

} // namespace

bool kernel_supports_sealing()
{
	return prctl_get() >= 0;
}

PolicyState get_policy_state()
{
	int ret = prctl_get();
	if (ret < 0) {
		int err = errno;
		if (err == EINVAL)
			throw PolicyError(PolicyError::Kind::Unsupported, EINVAL, kUnsupported);
		throw PolicyError(PolicyError::Kind::Other, err,
		                  std::string("reading the sealing policy failed: ") + std::strerror(err) +
		                      " (is a seccomp filter blocking prctl()?)");
	}
	auto flags = static_cast<unsigned long>(ret);
	return {Policy::from_flags(flags), (flags & kFlagImage) != 0};
}

Policy get_policy()
{
	return get_policy_state().policy;
}

PolicyError set_error(int err, const Policy &wanted, const std::optional<Policy> &current,
                      const std::optional<int> &level)
{
	using Kind = PolicyError::Kind;
	switch (err) {
	case EPERM:
		if (current && current->lock)
			return PolicyError(Kind::Locked, err,
			                   "the sealing policy of this process is locked (PR_MSEAL_SYSMAP_LOCK, set "
			                   "here or by an ancestor) and can no longer change");
		if (!wanted.seal && level == 2)
			return PolicyError(Kind::OptOutDisabled, err,
			                   "opting out of sealing is disabled on this system "
			                   "(vm.mseal_sysmap_optout = 2) until the next boot");
		if (!wanted.seal)
			return PolicyError(
			    Kind::NotPermitted, err,
			    "turning sealing off needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN in "
			    "the initial user namespace" +
			        std::string(level ? " (vm.mseal_sysmap_optout = " + std::to_string(*level) + ")" : ""));
		return PolicyError(Kind::Other, err, "the kernel refused the sealing policy change (EPERM)");
	case EBUSY:
		return PolicyError(Kind::Busy, err, std::string(kShared) + ": its policy cannot change now");
	case EINVAL:
		if (!current)
			return PolicyError(Kind::Unsupported, err, kUnsupported);
		return PolicyError(Kind::Invalid, err,
		                   "the kernel refused the policy " + std::to_string(wanted.flags()) +
		                       " of prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SET) as invalid "
		                       "(is it older than this library?)");
	default:
		return PolicyError(Kind::Other, err,
		                   std::string("setting the sealing policy failed: ") + std::strerror(err));
	}
}

PolicyError seal_image_error(int err, bool supported)
{
	using Kind = PolicyError::Kind;
	switch (err) {
	case EBUSY:
		return PolicyError(Kind::Busy, err, std::string(kShared) + ": its image cannot be sealed now");
	case EINVAL:
		if (!supported)
			return PolicyError(Kind::Unsupported, err, kUnsupported);
		return PolicyError(Kind::Invalid, err,
		                   "the kernel refused prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SEAL_IMAGE) as "
		                   "invalid (is it older than this library?)");
	default:
		return PolicyError(Kind::Other, err, std::string("sealing the image failed: ") + std::strerror(err));
	}
}

void set_policy(const Policy &policy, bool and_image)
{
	if (policy.lock && !policy.seal)
		throw PolicyError(PolicyError::Kind::Invalid, EINVAL,
		                  "a lock needs sealing on: a locked opt-out is not allowed");
	if (prctl_set(policy.flags()) != 0) {
		int err = errno;
		// Say why, from what can still be learnt: the policy now, the sysctl.
		throw set_error(err, policy, current_policy(), optout_level());
	}
	if (and_image)
		seal_image();
}

std::optional<unsigned long> policy_change(const Policy &current, const Policy &wanted, const std::optional<int> &level)
{
	if (!wanted.seal && level == 2)
		throw set_error(EPERM, wanted, Policy{current.seal, false}, level);
	if (current == wanted)
		return std::nullopt;
	if (current.lock && current.seal && wanted.seal)
		return std::nullopt; // a lock that seals is stronger than any sealing request
	return wanted.flags();
}

bool ensure_policy(const Policy &wanted)
{
	if (wanted.lock && !wanted.seal)
		throw PolicyError(PolicyError::Kind::Invalid, EINVAL,
		                  "a lock needs sealing on: a locked opt-out is not allowed");
	Policy current = get_policy();
	auto level = optout_level();
	if (!policy_change(current, wanted, level))
		return false;
	if (prctl_set(wanted.flags()) == 0)
		return true;
	int err = errno;
	throw set_error(err, wanted, current, level);
}

void seal_image()
{
	// The kernel answers 0 at once for an image sealed already.
	if (prctl_seal_image() == 0)
		return;
	int err = errno;
	throw seal_image_error(err, err != EINVAL || kernel_supports_sealing());
}

std::optional<int> optout_level()
{
	detail::UniqueFd fd(open("/proc/sys/vm/mseal_sysmap_optout", O_RDONLY | O_CLOEXEC));
	if (!fd)
		return std::nullopt;
	char buf[16];
	ssize_t n = read(fd.get(), buf, sizeof(buf));
	int level = 0;
	if (n <= 0 || std::from_chars(buf, buf + n, level).ec != std::errc())
		return std::nullopt;
	return level;
}

} // namespace sysmap
