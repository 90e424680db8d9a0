// Judging processes: is each one's image sealed, and will what it executes
// be? Processes that cannot be judged are counted, never skipped in
// silence.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "sysmap/procfs.hpp"

namespace sysmap
{

enum class Verdict {
	Sealed,        // image sealed, policy seal
	Unsealed,      // image unsealed
	OptedOut,      // image sealed, but what it executes will not be
	ProxyUnsealed, // image sealed, but it runs a vDSO proxy left unsealed (see VdsoProxy)
	None,          // nothing to judge: a kernel thread, a zombie, an exiting task
	Unknown,       // could not be judged: see the reason
};

// The verdict on a process that was read, and why when it is Unknown or
// ProxyUnsealed. A proxy is only seen if the process's mappings were read.
Verdict judge(const Process &p, std::string *reason = nullptr);

struct AuditEntry {
	pid_t pid = 0;
	std::optional<Process> process; // absent if it could not be read at all
	Verdict verdict = Verdict::Unknown;
	std::string reason; // why it could not be judged
};

struct AuditResult {
	std::vector<AuditEntry> entries; // every PID examined, except those that exited meanwhile
	std::size_t checked = 0;         // judged: Sealed, Unsealed, OptedOut or ProxyUnsealed
	std::size_t unsealed = 0;        // Unsealed, OptedOut or ProxyUnsealed
	std::size_t unknown = 0;         // could not be judged
	std::size_t none = 0;            // nothing to judge
	std::vector<pid_t> gone;         // exited while the audit ran (or never existed)

	bool is_finding(const AuditEntry &e) const
	{
		return e.verdict == Verdict::Unsealed || e.verdict == Verdict::OptedOut ||
		       e.verdict == Verdict::ProxyUnsealed;
	}
};

// Examine `pids` (all of proc_root if empty) from their status files. The
// command line is read for the processes a report lists (findings and
// those that could not be judged), or for all of them if `all`. With
// `proxies`, the mappings of each process are read too (smaps, and the
// start of its [vdso] for CRIU's mark), so that a vDSO proxy left unsealed
// is found: slower, and it needs ptrace access to every process.
AuditResult audit(const std::vector<pid_t> &pids = {}, const std::string &proc_root = "/proc", bool all = false,
                  bool proxies = false);

} // namespace sysmap
