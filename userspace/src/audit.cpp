#include "sysmap/audit.hpp"

namespace sysmap
{

Verdict judge(const Process &p, std::string *reason)
{
	if (p.task != Task::Process)
		return Verdict::None;
	if (!p.state) {
		if (reason)
			*reason = "no Mseal_sysmap: line in its status file";
		return Verdict::Unknown;
	}
	if (!p.state->image_sealed)
		return Verdict::Unsealed;
	if (!p.state->policy_seal)
		return Verdict::OptedOut;
	return Verdict::Sealed;
}

AuditResult audit(const std::vector<pid_t> &pids, const std::string &proc_root, bool all)
{
	AuditResult r;
	// The command line only of the processes a report lists.
	ReadOptions what;
	what.cmdline = [all](const Process &p) {
		Verdict v = judge(p);
		return all || v == Verdict::Unsealed || v == Verdict::OptedOut || v == Verdict::Unknown;
	};
	for (pid_t pid : pids.empty() ? list_pids(proc_root) : pids) {
		AuditEntry e;
		e.pid = pid;
		try {
			e.process = read_process(pid, what, proc_root);
			e.verdict = judge(*e.process, &e.reason);
		} catch (const ProcError &err) {
			if (err.kind() == ProcError::Kind::Gone) {
				r.gone.push_back(pid);
				continue;
			}
			e.verdict = Verdict::Unknown;
			e.reason = err.what();
		}
		switch (e.verdict) {
		case Verdict::Sealed:
			r.checked++;
			break;
		case Verdict::Unsealed:
		case Verdict::OptedOut:
			r.checked++;
			r.unsealed++;
			break;
		case Verdict::None:
			r.none++;
			break;
		case Verdict::Unknown:
			r.unknown++;
			break;
		}
		r.entries.push_back(std::move(e));
	}
	return r;
}

} // namespace sysmap
