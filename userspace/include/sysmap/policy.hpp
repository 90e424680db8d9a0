// The per-process policy for sealing system mappings at execve(), through
// prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_GET/SET/SEAL_IMAGE). C programs
// use <sysmap/sysmap.h>.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace sysmap
{

// Bits of PR_MSEAL_SYSMAP_GET and PR_MSEAL_SYSMAP_SET; the values are the
// kernel's ABI. SET takes SEAL and LOCK only: the image is sealed by a call
// of its own (seal_image()).
inline constexpr unsigned long kFlagSeal = 1UL << 0;  // future execve()s seal
inline constexpr unsigned long kFlagLock = 1UL << 1;  // the policy can no longer change
inline constexpr unsigned long kFlagImage = 1UL << 2; // GET only: this image's system mappings are sealed

struct Policy {
	bool seal = false; // future execve()s seal system mappings
	bool lock = false; // the policy can no longer change

	unsigned long flags() const { return (seal ? kFlagSeal : 0) | (lock ? kFlagLock : 0); }
	static Policy from_flags(unsigned long flags) { return {(flags & kFlagSeal) != 0, (flags & kFlagLock) != 0}; }
	bool operator==(const Policy &) const = default;
};

// What PR_MSEAL_SYSMAP_GET reports about the calling process.
struct PolicyState {
	Policy policy;
	bool image_sealed = false; // this image's system mappings are sealed
	bool operator==(const PolicyState &) const = default;
};

// A failed policy operation: what kind of failure, the errno, and a
// sentence that says why. Turning that into advice is the caller's job.
class PolicyError : public std::runtime_error
{
public:
	enum class Kind {
		Unsupported,    // the kernel has no such prctl (EINVAL from PR_MSEAL_SYSMAP_GET)
		NotPermitted,   // opting out needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN
		OptOutDisabled, // vm.mseal_sysmap_optout = 2: nobody may opt out
		Locked,         // the policy is locked and cannot change
		Busy,           // the address space is shared (vfork() child, CLONE_VM)
		Invalid,        // a request the kernel refuses as malformed
		Other,
	};
	PolicyError(Kind kind, int err, const std::string &what) : std::runtime_error(what), kind_(kind), errno_(err) {}
	Kind kind() const { return kind_; }
	int error_number() const { return errno_; }

private:
	Kind kind_;
	int errno_;
};

// Whether the running kernel has CONFIG_MSEAL_SYSTEM_MAPPINGS.
bool kernel_supports_sealing();

// The calling process's policy and image state. Throws PolicyError
// (Unsupported on a kernel without the feature).
PolicyState get_policy_state();
Policy get_policy();

// Set the calling process's policy (PR_MSEAL_SYSMAP_SET; it applies to the
// next execve()), and with seal_image then also seal the current image's
// system mappings now (PR_MSEAL_SYSMAP_SEAL_IMAGE, as seal_image() does).
// Always asks the kernel, which refuses any change of a locked policy:
// callers that only want a policy in force use ensure_policy(). Throws
// PolicyError; if the policy was set but sealing the image failed, the new
// policy stays in force.
void set_policy(const Policy &policy, bool seal_image = false);

// The flags to pass to PR_MSEAL_SYSMAP_SET to get `wanted` in
// force when `current` is, or nullopt if nothing needs to change: when
// `wanted` is already in force, or asks for sealing without a lock while a
// lock already seals. A locked policy refuses any change, even a weaker
// one, so such a request must not reach the kernel. With `level`
// (vm.mseal_sysmap_optout) 2 every execve() seals, so an opt-out cannot be
// in force whatever the policy says: that throws PolicyError
// (OptOutDisabled).
std::optional<unsigned long> policy_change(const Policy &current, const Policy &wanted,
                                           const std::optional<int> &level = std::nullopt);

// Put `wanted` in force for the next execve(), calling the kernel only if
// policy_change() says so. Returns whether it called the kernel. Throws
// PolicyError.
bool ensure_policy(const Policy &wanted);

// Seal the current image's system mappings now (PR_MSEAL_SYSMAP_SEAL_IMAGE):
// one call of its own, which leaves the policy as it is, needs no
// privilege and is allowed under a locked policy. Nothing happens if they
// are sealed already. Throws PolicyError.
void seal_image();

// vm.mseal_sysmap_optout (0: anyone may opt out, 1: needs a capability,
// 2: nobody may), or nullopt on a kernel without it.
std::optional<int> optout_level();

// What the kernel's errno from PR_MSEAL_SYSMAP_SET means, given
// what was asked and what is known about the process: `current` (its
// policy before the call, if it could be read) and `level` (optout_level()).
PolicyError set_error(int err, const Policy &wanted, const std::optional<Policy> &current,
                      const std::optional<int> &level);

// What the kernel's errno from PR_MSEAL_SYSMAP_SEAL_IMAGE means, given
// whether PR_MSEAL_SYSMAP_GET answers (`supported`): without it EINVAL is
// a kernel without the feature.
PolicyError seal_image_error(int err, bool supported);

} // namespace sysmap
