// Sealing another process: "sysmapctl seal" and the restore half of
// "sysmapctl criu". The target runs prctl(PR_MSEAL_SYSTEM_MAPPINGS,
// PR_MSEAL_SYSMAP_SET or PR_MSEAL_SYSMAP_SEAL_IMAGE) itself: sysmapctl
// attaches with ptrace, borrows one thread's registers for each call and
// gives them back. See sysmapctl(1), NOTES.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "sysmap/procfs.hpp"

namespace sysmap::reseal
{

// The steps of a seal, in order. SYSMAP_SEAL_FAULT=STEP makes that step
// fail, to test that the target is left as it was; see sysmapctl(1).
enum class Fault { None, Attach, Interrupt, GetRegs, FindSyscall, Inject, Entry, Restore };

// "attach", "interrupt", "getregs", "find-syscall", "inject", "entry",
// "restore";
// "" or unset: Fault::None. Throws std::invalid_argument otherwise.
Fault parse_fault(std::string_view value);
std::string_view fault_name(Fault f);

// The children of every thread of `pid` (/proc/PID/task/*/children), in
// increasing order without duplicates; empty if the process is gone.
std::vector<pid_t> children(pid_t pid, const std::string &proc_root = "/proc");

// Visit `root` and its descendants, parents before their children, each
// once. A process's children are read after it was visited, so that a
// child it forks while it is being visited is still found. With more than
// one worker, up to `workers` visits run at once, on as many threads, and
// the signals that stop sysmapctl are held until the last visit returns
// (none starts once one is pending). Returns the processes visited in the
// order one worker visits them: a parent, then each child's subtree, in
// PID order.
std::vector<pid_t> walk_tree(pid_t root, const std::function<void(pid_t)> &visit,
                             const std::string &proc_root = "/proc", unsigned workers = 1);

// How many processes "seal --tree" and "criu restore" seal at once: one
// for each processor, at most 8.
unsigned seal_workers();

// Why a process could not be sealed; advice() says what to do about it.
class SealError : public std::runtime_error
{
public:
	enum class Kind {
		Gone,         // no such process, or it exited meanwhile
		Unsealable,   // kernel thread, zombie: nothing to seal
		Traced,       // another tracer is attached
		Denied,       // ptrace access refused
		Unsupported,  // the kernel has no sealing, or the target's ABI is not handled
		Refused,      // the kernel refused the prctl() (EBUSY, EPERM, ...)
		Interrupted,  // a step failed; the target was given back as it was
		Unrecoverable // the target could not be given back as it was
	};
	SealError(Kind kind, const std::string &what, std::string advice)
	    : std::runtime_error(what), kind_(kind), advice_(std::move(advice))
	{
	}
	Kind kind() const { return kind_; }
	const std::string &advice() const { return advice_; }

private:
	Kind kind_;
	std::string advice_;
};

// Fields of /proc/PID/status that decide whether a process can be traced.
struct TraceInfo {
	pid_t tgid = 0;
	pid_t tracer = 0; // TracerPid
	int seccomp = 0;  // 0 none, 1 strict, 2 filter
	uid_t uid = 0;    // real UID
};
std::optional<TraceInfo> parse_trace_info(std::string_view status);

// Below, `flags` is the state to put a process in, in the bits
// PR_MSEAL_SYSMAP_GET reports: SEAL and LOCK the policy, IMAGE the running
// image sealed (without IMAGE the image is left as it is: sealing cannot
// be undone).

// The state that seals a process whose state is `now`: SEAL | IMAGE, and
// LOCK if asked for or already in force (a locked policy refuses any other
// value).
unsigned long seal_flags(const SealState &now, bool lock);

// The five arguments of a prctl() call, unused ones 0.
using PrctlArgs = std::array<unsigned long, 5>;

// The prctl() calls that take a process from `now` to `flags`, in order:
// (PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SET, policy, 0, 0) if the
// policy differs, then (PR_MSEAL_SYSTEM_MAPPINGS,
// PR_MSEAL_SYSMAP_SEAL_IMAGE, 0, 0, 0) if IMAGE is asked for and the image
// is not sealed yet. None if it is in that state already.
std::vector<PrctlArgs> prctl_calls(const SealState &now, unsigned long flags);

// Make `pid` make the calls of prctl_calls() and return its state
// afterwards. Nothing is done if the process is already in that state.
// Throws SealError.
SealState apply(pid_t pid, unsigned long flags, Fault fault = Fault::None);

// Seal `pid` (seal_flags()). Throws SealError.
SealState seal(pid_t pid, bool lock, Fault fault = Fault::None);

} // namespace sysmap::reseal
