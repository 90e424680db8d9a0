// The per-process policy for sealing system mappings at execve(), through
// prctl(PR_GET/SET_MSEAL_SYSTEM_MAPPINGS).
#pragma once

#include <stdexcept>
#include <string>

namespace sysmap
{

// Flags of PR_SET_MSEAL_SYSTEM_MAPPINGS; the values are the kernel's ABI.
inline constexpr unsigned long kFlagSeal = 1UL << 0;
inline constexpr unsigned long kFlagLock = 1UL << 1;

struct Policy {
	bool seal = false; // future execve()s seal system mappings
	bool lock = false; // the policy can no longer change

	unsigned long flags() const { return (seal ? kFlagSeal : 0) | (lock ? kFlagLock : 0); }
	static Policy from_flags(unsigned long flags) { return {(flags & kFlagSeal) != 0, (flags & kFlagLock) != 0}; }
	bool operator==(const Policy &) const = default;
};

// A failed policy operation: the errno and a sentence that says what to do.
class PolicyError : public std::runtime_error
{
public:
	enum class Kind { Unsupported, NotPermitted, Locked, Invalid, Other };
	PolicyError(Kind kind, int err, const std::string &what) : std::runtime_error(what), kind_(kind), errno_(err) {}
	Kind kind() const { return kind_; }
	int error_number() const { return errno_; }

private:
	Kind kind_;
	int errno_;
};

// Whether the running kernel has CONFIG_MSEAL_SYSTEM_MAPPINGS.
bool kernel_supports_sealing();

// The calling process's policy. Throws PolicyError (Unsupported on a
// kernel without the feature).
Policy get_policy();

// Set the calling process's policy; it applies to the next execve().
// Throws PolicyError with a message that tells the user what to do.
void set_policy(const Policy &policy);

// The error set_policy() reports for an errno, for callers and tests.
PolicyError policy_error(int err, const Policy &wanted);

} // namespace sysmap
