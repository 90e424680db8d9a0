#include "sysmap/audit.hpp"

#include <cstdio>

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
	if (p.mappings) {
		for (const auto &m : *p.mappings) {
			if ((m.name == kVdsoProxyName || m.name == kVvarProxyName) && !m.sealed) {
				if (reason) {
					char addr[32];
					std::snprintf(addr, sizeof(addr), "%#llx",
					              static_cast<unsigned long long>(m.start));
					*reason = "runs through CRIU's " + m.name + " at " + addr +
					          ", which is not sealed: run 'sysmapctl seal " +
					          std::to_string(p.pid) + "'";
				}
				return Verdict::ProxyUnsealed;
			}
		}
	}
	if (!p.state->policy_seal)
		return Verdict::OptedOut;
	return Verdict::Sealed;
}

AuditResult audit(const std::vector<pid_t> &pids, const std::string &proc_root, bool all, bool proxies)
{
	AuditResult r;
	ReadOptions what;
	what.mappings = proxies;
	// The command line only of the processes a report lists. It is asked
	// before the mappings are read: with proxies, every process that may
	// turn out to be a finding gets it.
	what.cmdline = [all, proxies](const Process &p) {
		Verdict v = judge(p);
		return all || proxies || v == Verdict::Unsealed || v == Verdict::OptedOut || v == Verdict::Unknown;
	};
	for (pid_t pid : pids.empty() ? list_pids(proc_root) : pids) {
		AuditEntry e;
		e.pid = pid;
		try {
			e.process = read_process(pid, what, proc_root);
			e.verdict = judge(*e.process, &e.reason);
			// Asked for proxies, but the mappings could not be read:
			// a sealed image may still run through an unsealed proxy.
			if (proxies && !e.process->mappings &&
			    (e.verdict == Verdict::Sealed || e.verdict == Verdict::OptedOut)) {
				e.verdict = Verdict::Unknown;
				e.reason = "no vDSO proxy check: " + e.process->mappings_error;
			}
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
		case Verdict::ProxyUnsealed:
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
