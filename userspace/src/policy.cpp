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

namespace sysmap
{

namespace
{

constexpr const char *kUnsupported =
    "this kernel does not seal system mappings (built without CONFIG_MSEAL_SYSTEM_MAPPINGS, "
    "or older than the sysmap-seal series); nothing is sealed here";

// PR_SET_MSEAL_SYSTEM_MAPPINGS, retried when a signal interrupts it.
int prctl_set(unsigned long flags)
{
	int ret;
	do
		ret = prctl(PR_SET_MSEAL_SYSTEM_MAPPINGS, flags, 0UL, 0UL, 0UL);
	while (ret < 0 && errno == EINTR);
	return ret;
}

std::optional<Policy> current_policy()
{
	int ret = prctl(PR_GET_MSEAL_SYSTEM_MAPPINGS, 0UL, 0UL, 0UL, 0UL);
	if (ret < 0)
		return std::nullopt;
	return Policy::from_flags(static_cast<unsigned long>(ret));
}

} // namespace

bool kernel_supports_sealing()
{
	return prctl(PR_GET_MSEAL_SYSTEM_MAPPINGS, 0UL, 0UL, 0UL, 0UL) >= 0;
}

PolicyState get_policy_state()
{
	int ret = prctl(PR_GET_MSEAL_SYSTEM_MAPPINGS, 0UL, 0UL, 0UL, 0UL);
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
		return PolicyError(Kind::Busy, err,
		                   "the address space is shared with another process (a vfork() child, or "
		                   "clone(CLONE_VM) without CLONE_THREAD): its policy cannot change now");
	case EINVAL:
		if (!current)
			return PolicyError(Kind::Unsupported, err, kUnsupported);
		return PolicyError(Kind::Invalid, err,
		                   "the kernel refused the flags " + std::to_string(wanted.flags()) +
		                       " as invalid (is it older than this library, e.g. without "
		                       "PR_MSEAL_SYSMAP_IMAGE?)");
	default:
		return PolicyError(Kind::Other, err,
		                   std::string("setting the sealing policy failed: ") + std::strerror(err));
	}
}

void set_policy(const Policy &policy, bool seal_image)
{
	if (policy.lock && !policy.seal)
		throw PolicyError(PolicyError::Kind::Invalid, EINVAL,
		                  "a lock needs sealing on: a locked opt-out is not allowed");
	if (prctl_set(policy.flags() | (seal_image ? kFlagImage : 0)) == 0)
		return;
	int err = errno;
	// Say why, from what can still be learnt: the policy now, the sysctl.
	throw set_error(err, policy, current_policy(), optout_level());
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
	PolicyState st = get_policy_state();
	if (st.image_sealed)
		return;
	if (prctl_set(st.policy.flags() | kFlagImage) == 0)
		return;
	int err = errno;
	throw set_error(err, st.policy, st.policy, optout_level());
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
