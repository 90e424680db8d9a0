#include "reseal.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "arch.hpp"
#include "sysmap/policy.hpp"
#include "sysmap/sysmap.h"

namespace sysmap::reseal
{

namespace
{

constexpr std::string_view kFaultNames[] = {"",       "attach", "interrupt", "getregs", "find-syscall",
                                            "inject", "entry",  "restore"};
static_assert(std::size(kFaultNames) == static_cast<std::size_t>(Fault::Restore) + 1, "a name for every Fault");

std::string pid_str(pid_t pid)
{
	return std::to_string(pid);
}

std::string read_text(const std::string &path)
{
	std::ifstream f(path);
	if (!f)
		return {};
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

#ifdef SYSMAP_NO_INJECTION
constexpr long kPrctlNative = SYS_prctl;
constexpr long kPrctlCompat = -1;
#endif
using namespace arch;

Call prctl_call(const PrctlArgs &args)
{
	return Call{kPrctlNative, kPrctlCompat, args};
}

Call mseal_call(const Mapping &m)
{
	return Call{kMseal, -1, {static_cast<unsigned long>(m.start), static_cast<unsigned long>(m.size()), 0, 0, 0}};
}

std::optional<std::vector<unsigned char>> read_mem(pid_t pid, std::uint64_t addr, std::size_t len)
{
	int fd = open(("/proc/" + pid_str(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return std::nullopt;
	std::vector<unsigned char> buf(len);
	ssize_t n = pread(fd, buf.data(), len, static_cast<off_t>(addr));
	close(fd);
	if (n != static_cast<ssize_t>(len))
		return std::nullopt;
	return buf;
}

// The signals that would end sysmapctl while a target runs on borrowed
// registers: they wait until it has been given back.
constexpr std::array kHeldSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU};

class HoldSignals
{
public:
	HoldSignals()
	{
		sigset_t set;
		sigemptyset(&set);
		for (int sig : kHeldSignals)
			sigaddset(&set, sig);
		pthread_sigmask(SIG_BLOCK, &set, &old_);
	}
	~HoldSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

	// Whether one of the held signals arrived meanwhile.
	static bool pending()
	{
		sigset_t set;
		sigemptyset(&set);
		if (sigpending(&set) != 0)
			return false;
		return std::any_of(kHeldSignals.begin(), kHeldSignals.end(),
		                   [&](int sig) { return sigismember(&set, sig) == 1; });
	}
	HoldSignals(const HoldSignals &) = delete;
	HoldSignals &operator=(const HoldSignals &) = delete;

private:
	sigset_t old_;
};

#ifndef SYSMAP_NO_INJECTION

// ---------------------------------------------------------------------
// One thread of the target, attached with PTRACE_SEIZE. Whatever happens,
// the destructor gives it back as it was found: registers, pending
// signals, and stopped or running.

SealError interrupted(const std::string &what, const std::string &advice = "the process was left as it was")
{
	return SealError(SealError::Kind::Interrupted, what, advice);
}

SealError gone()
{
	return SealError(SealError::Kind::Gone, "it exited while it was being sealed", "nothing is left to seal");
}

class Tracee
{
public:
	enum class At { Running, Event, Entry, Exit };

	Tracee(pid_t tgid, pid_t tid) : tgid_(tgid), tid_(tid) {}
	Tracee(const Tracee &) = delete;
	Tracee &operator=(const Tracee &) = delete;
	~Tracee()
	{
		try {
			release();
		} catch (const SealError &) {
			// Reported by release() when it is called on the normal path;
			// here there is nothing more that can be done.
		}
	}

	// Returns errno, 0 on success.
	int seize(bool suspend_seccomp)
	{
		unsigned long opts = PTRACE_O_TRACESYSGOOD | (suspend_seccomp ? PTRACE_O_SUSPEND_SECCOMP : 0);
		if (ptrace(PTRACE_SEIZE, tid_, nullptr, reinterpret_cast<void *>(opts)) != 0)
			return errno;
		seized_ = true;
		at_ = At::Running;
		return 0;
	}

	// Stop the thread where it is. A signal that arrives first is
	// delivered as it would have been; a stopped process reports its
	// group stop, a running or blocked one the interrupt.
	void stop()
	{
		if (ptrace(PTRACE_INTERRUPT, tid_, nullptr, nullptr) != 0 && errno == ESRCH)
			throw lost();
		wait_for(At::Event, false);
	}

	Regs regs()
	{
		Regs r;
		if (!get_regs(tid_, r))
			throw errno == ESRCH ? lost() : interrupted("reading its registers failed: " + err());
		return r;
	}

	void save(const Regs &r) { saved_ = r; }

	void set(const Regs &r)
	{
		// Once written, the registers must be put back, even if writing failed half way.
		modified_ = true;
		if (!set_regs(tid_, r))
			throw errno == ESRCH ? lost() : interrupted("writing its registers failed: " + err());
	}

	// Run the thread to its next system-call stop (entry or exit).
	void to_call(At where)
	{
		resume(PTRACE_SYSCALL);
		wait_for(where, true);
	}

	// Give the thread back: stop it in the kernel's signal path, put its
	// registers back there (the kernel then restarts an interrupted system
	// call exactly as it would have), send it the signals that arrived
	// meanwhile, and detach: it runs again, or stays stopped with its group.
	void release()
	{
		if (!seized_ || gone_)
			return;
		if (at_ == At::Running) {
			if (ptrace(PTRACE_INTERRUPT, tid_, nullptr, nullptr) != 0 && errno == ESRCH)
				throw lost();
			wait_for(At::Event, modified_);
		}
		if (modified_) {
			if (at_ == At::Entry) {
				Regs r = regs();
				if (!skip_call(tid_, r))
					throw unrecoverable("skipping the injected call failed: " + err());
			}
			if (at_ != At::Event) {
				if (ptrace(PTRACE_INTERRUPT, tid_, nullptr, nullptr) != 0 && errno == ESRCH)
					throw lost();
				resume(PTRACE_CONT);
				wait_for(At::Event, true);
			}
			if (!saved_ || !set_regs(tid_, *saved_))
				throw unrecoverable("putting its registers back failed: " + err());
			modified_ = false;
		}
		for (const auto &si : held_) {
			if (si.si_code < 0 && si.si_code != SI_TKILL &&
			    syscall(SYS_rt_tgsigqueueinfo, tgid_, tid_, si.si_signo, &si) == 0)
				continue;
			syscall(SYS_tgkill, tgid_, tid_, si.si_signo);
		}
		held_.clear();
		if (ptrace(PTRACE_DETACH, tid_, nullptr, nullptr) != 0 && errno != ESRCH)
			throw unrecoverable("detaching failed: " + err());
		seized_ = false;
	}

private:
	static std::string err() { return std::strerror(errno); }

	SealError lost()
	{
		gone_ = true;
		return gone();
	}

	SealError unrecoverable(const std::string &what)
	{
		return SealError(
		    SealError::Kind::Unrecoverable, what,
		    "the process may not run correctly any more: check it, and restart it if it misbehaves");
	}

	void resume(__ptrace_request how, int sig = 0)
	{
		if (ptrace(how, tid_, nullptr, reinterpret_cast<void *>(static_cast<long>(sig))) != 0)
			throw errno == ESRCH ? lost() : interrupted("resuming it failed: " + err());
		at_ = At::Running;
	}

	// Wait until the thread stops at `want`. Signals it is about to take
	// on the way are delivered (hold = false), or, while it runs borrowed
	// registers, kept from it and sent again once it has them back.
	void wait_for(At want, bool hold)
	{
		for (;;) {
			int status = 0;
			if (waitpid(tid_, &status, __WALL) < 0) {
				if (errno == EINTR)
					continue;
				throw lost();
			}
			if (WIFEXITED(status) || WIFSIGNALED(status))
				throw lost();
			if (!WIFSTOPPED(status))
				continue;
			int sig = WSTOPSIG(status), event = status >> 16;
			At at = event == PTRACE_EVENT_STOP ? At::Event
			        : sig == (SIGTRAP | 0x80)  ? (want == At::Exit ? At::Exit : At::Entry)
			                                   : At::Running;
			if (at == want || (at == At::Event && want == At::Event)) {
				at_ = at;
				return;
			}
			if (at == At::Event || at == At::Entry || at == At::Exit) {
				// A stop that is not the one awaited: an interrupt that
				// was already pending, or the entry on the way to the
				// exit. Carry on.
				at_ = at;
				resume(want == At::Event ? PTRACE_CONT : PTRACE_SYSCALL);
				continue;
			}
			// A signal-delivery stop.
			at_ = At::Event; // stopped, though not where the registers can be restored
			int deliver = sig;
			if (hold) {
				siginfo_t si{};
				if (ptrace(PTRACE_GETSIGINFO, tid_, nullptr, &si) != 0) {
					si = siginfo_t{};
					si.si_signo = sig;
					si.si_code = SI_TKILL;
				}
				held_.push_back(si);
				deliver = 0;
			}
			resume(want == At::Event ? PTRACE_CONT : PTRACE_SYSCALL, deliver);
		}
	}

	pid_t tgid_, tid_;
	bool seized_ = false, gone_ = false, modified_ = false;
	At at_ = At::Running;
	std::optional<Regs> saved_;
	std::vector<siginfo_t> held_;
};

// ---------------------------------------------------------------------
// Finding a system-call instruction in the target.

// Where the target can be made to call: a system-call instruction in its
// [vdso] (it has the kernel's fallback system calls) or [sigpage], or else
// right behind the system call it was stopped in; and the vDSO proxies
// CRIU's mark at the start of its [vdso] points at (see VdsoProxy), if it
// carries one. Read from /proc/PID/maps while
// the thread is stopped: smaps would cost a walk of the page tables of
// every mapping.
struct Text {
	std::optional<std::uint64_t> insn;
	std::vector<Mapping> proxies; // where CRIU's mark points: sealed or not, smaps would tell
};

Text find_insn(pid_t pid, const Regs &r)
{
	Text found;
	Insn insn = syscall_insn(r);
	std::istringstream maps(read_text("/proc/" + pid_str(pid) + "/maps"));
	const std::vector<Mapping> all = parse_smaps(maps);
	// An AArch32 process also has [sigpage], whose return trampolines
	// make system calls.
	for (const char *name : {"[vdso]", "[sigpage]"}) {
		auto m = std::find_if(all.begin(), all.end(), [&](const Mapping &k) { return k.name == name; });
		if (m == all.end() || m->perms.size() < 3 || m->perms[2] != 'x' || m->size() >= (1u << 20))
			continue;
		if (auto text = read_mem(pid, m->start, m->size())) {
			if (m->name == "[vdso]") {
				auto mark = parse_criu_vdso_mark(text->data(), std::min(text->size(), kCriuMarkSize));
				found.proxies = proxy_mappings(all, mark);
			}
			for (std::size_t i = 0; i + insn.bytes.size() <= text->size(); i += insn.align)
				if (insn.at(*text, i)) {
					found.insn = m->start + i;
					return found;
				}
		}
	}
	if (interrupted_call(r) >= 0 && pc(r) >= insn.bytes.size()) {
		std::uint64_t at = pc(r) - insn.bytes.size();
		if (auto text = read_mem(pid, at, insn.bytes.size()); text && insn.at(*text, 0))
			found.insn = at;
	}
	return found;
}

#endif // SYSMAP_NO_INJECTION

SealError fault_error(Fault f, const std::string &step)
{
	return SealError(SealError::Kind::Interrupted,
	                 step + " failed (simulated: SYSMAP_SEAL_FAULT=" + std::string(fault_name(f)) + ")",
	                 "SYSMAP_SEAL_FAULT is a test hook: unset it");
}

int yama_scope()
{
	std::string s = read_text("/proc/sys/kernel/yama/ptrace_scope");
	int v = -1;
	std::from_chars(s.data(), s.data() + s.size(), v);
	return v;
}

SealError denied(const TraceInfo &ti)
{
	using K = SealError::Kind;
	int yama = yama_scope();
	if (yama == 3)
		return SealError(K::Denied, "attaching with ptrace is disabled (kernel.yama.ptrace_scope = 3)",
		                 "nobody can seal another process until the next boot; restart it instead");
	if (geteuid() != 0 && ti.uid != geteuid())
		return SealError(K::Denied, "not permitted to trace it: it belongs to user " + std::to_string(ti.uid),
		                 "run sysmapctl as root, or as the process's owner");
	if (yama == 1 || yama == 2)
		return SealError(K::Denied,
		                 "not permitted to trace it (kernel.yama.ptrace_scope = " + std::to_string(yama) +
		                     (yama == 1 ? ": only its ancestors may)" : ": only CAP_SYS_PTRACE may)"),
		                 "run sysmapctl as root (CAP_SYS_PTRACE)");
	return SealError(K::Denied, "not permitted to trace it (it may not be dumpable, or a security module refuses)",
	                 "run sysmapctl as root (CAP_SYS_PTRACE)");
}

// The call `args` (of prctl_calls()) failed with `err` in a process whose
// state was `now`; `after_set`: a PR_MSEAL_SYSMAP_SET before it succeeded.
SealError refused(int err, const PrctlArgs &args, const SealState &now, bool after_set)
{
	using K = SealError::Kind;
	bool image = args[1] == PR_MSEAL_SYSMAP_SEAL_IMAGE;
	std::string done = after_set ? "its new policy is in force, but sealing its image failed: " : "";
	if (err == EBUSY)
		return SealError(K::Refused,
		                 done +
		                     "its address space is shared with another process (a vfork() child, or CLONE_VM)",
		                 "try again once it has executed a program or exited");
	if (err == EINTR)
		return SealError(K::Refused, done + "the kernel call was interrupted", "try again");
	PolicyError pe =
	    image ? seal_image_error(err, true)
	          : set_error(err, Policy::from_flags(args[2]), Policy{now.policy_seal, now.locked}, optout_level());
	return SealError(K::Refused, done + "the kernel refused: " + pe.what(), "see sysmapctl(1)");
}

#ifndef SYSMAP_NO_INJECTION
// One attachment to a target for all the calls apply() makes in it:
// attaching, stopping it and giving it back cost more than the calls.
// The constructor attaches and stops one of its threads; run() makes a
// call with that thread's registers; release(), or the destructor if a
// step failed, gives the thread back as it was.
class Injector
{
public:
	Injector(pid_t pid, const TraceInfo &ti, Fault fault) : t_(ti.tgid, pid), fault_(fault)
	{
		if (fault == Fault::Attach)
			throw fault_error(fault, "attaching");
		if (int e = t_.seize(ti.seccomp == 2)) {
			if (e == ESRCH)
				throw gone();
			if (e == EPERM)
				throw denied(ti);
			throw interrupted(std::string("attaching failed: ") + std::strerror(e));
		}
		if (fault == Fault::Interrupt)
			throw fault_error(fault, "interrupting it");
		t_.stop();
		if (fault == Fault::GetRegs)
			throw fault_error(fault, "reading its registers");
		saved_ = t_.regs();
		t_.save(saved_);
		if (auto why = unsupported_abi(saved_))
			throw SealError(SealError::Kind::Unsupported, *why, "it can seal itself with prctl()");
		Text text = find_insn(pid, saved_);
		if (fault == Fault::FindSyscall)
			throw fault_error(fault, "finding a system-call instruction");
		if (!text.insn)
			throw interrupted("no system-call instruction found in it (no [vdso]?)");
		at_ = *text.insn;
		proxies_ = std::move(text.proxies);
	}

	// The vDSO proxies CRIU's mark in its [vdso] points at (see
	// VdsoProxy), read from its maps while it is stopped.
	const std::vector<Mapping> &proxies() const { return proxies_; }

	// Make `call`; returns what it returned (a negative errno on failure).
	// The thread is left at the call's exit, from where the next call
	// starts as well.
	long run(const Call &call)
	{
		long nr = expected_nr(saved_, call);
		if (nr < 0)
			throw SealError(SealError::Kind::Unsupported, "the call does not exist for its 32-bit ABI",
			                "it can seal itself");
		t_.set(prepare(saved_, at_, call));
		if (fault_ == Fault::Inject)
			throw fault_error(fault_, "injecting the call");
		t_.to_call(Tracee::At::Entry);
		if (call_nr(t_.regs()) != nr)
			throw interrupted("the injected call did not start");
		if (fault_ == Fault::Entry)
			throw fault_error(fault_, "entering the call");
		t_.to_call(Tracee::At::Exit);
		long ret = result(t_.regs(), saved_);
		if (fault_ == Fault::Restore)
			throw fault_error(fault_, "restoring its registers");
		return ret;
	}

	void release() { t_.release(); }

private:
	HoldSignals hold_; // before t_: signals stay held until t_ is given back
	Tracee t_;
	Fault fault_;
	Regs saved_{};
	std::uint64_t at_ = 0;
	std::vector<Mapping> proxies_;
};
#else
class Injector
{
public:
	Injector(pid_t, const TraceInfo &, Fault)
	{
		throw SealError(SealError::Kind::Unsupported,
		                "sysmapctl cannot seal other processes on this architecture",
		                "the process can seal itself with prctl(PR_MSEAL_SYSTEM_MAPPINGS, "
		                "PR_MSEAL_SYSMAP_SEAL_IMAGE)");
	}
	long run(const Call &) { return -ENOSYS; }
	const std::vector<Mapping> &proxies() const { return proxies_; }
	void release() {}

private:
	std::vector<Mapping> proxies_;
};
#endif

std::optional<SealState> state_of(pid_t pid)
{
	std::ifstream f("/proc/" + pid_str(pid) + "/status");
	if (!f)
		return std::nullopt;
	try {
		return parse_status_line(f);
	} catch (const std::invalid_argument &) {
		return std::nullopt;
	}
}

bool has_cap_sys_admin()
{
	std::string st = read_text("/proc/self/status");
	auto at = st.find("\nCapEff:");
	if (at == std::string::npos)
		return false;
	std::string_view v(st);
	v.remove_prefix(at + 8);
	v.remove_prefix(std::min(v.find_first_not_of(" \t"), v.size()));
	unsigned long long caps = 0;
	std::from_chars(v.data(), v.data() + v.size(), caps, 16);
	return (caps >> 21) & 1; // CAP_SYS_ADMIN
}

// The call, made by sysmapctl itself (sealing its own process).
long call_self(const Call &call)
{
	const auto &a = call.args;
	return syscall(call.native, a[0], a[1], a[2], a[3], a[4]) == 0 ? 0 : -errno;
}

// The vDSO proxies of `p` (see VdsoProxy) that are not sealed yet.
std::vector<Mapping> unsealed_proxies(const Process &p)
{
	std::vector<Mapping> out;
	if (p.mappings)
		for (const auto &m : *p.mappings)
			if ((m.name == kVdsoProxyName || m.name == kVvarProxyName) && !m.sealed)
				out.push_back(m);
	return out;
}

// The vDSO proxies of `pid` (see VdsoProxy) that are not sealed yet.
// Only a process whose [vdso] carries CRIU's mark can have one: its maps
// and the mark are read first; its smaps, which costs a walk of every
// mapping's page tables, only where the mark is.
std::vector<Mapping> unsealed_proxies(pid_t pid)
{
	std::istringstream maps(read_text("/proc/" + pid_str(pid) + "/maps"));
	const std::vector<Mapping> all = parse_smaps(maps);
	auto vdso = std::find_if(all.begin(), all.end(), [](const Mapping &m) { return m.name == "[vdso]"; });
	auto head = vdso == all.end() ? std::nullopt : read_mem(pid, vdso->start, kCriuMarkSize);
	if (!head || !parse_criu_vdso_mark(head->data(), head->size()))
		return {};
	try {
		return unsealed_proxies(read_process(pid, true));
	} catch (const ProcError &) {
		return {};
	}
}

std::string hex(std::uint64_t v)
{
	char buf[24];
	std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
	return buf;
}

bool satisfies(const SealState &s, unsigned long flags)
{
	bool image = (flags & kFlagImage) != 0;
	return s.policy_seal == ((flags & kFlagSeal) != 0) && s.locked == ((flags & kFlagLock) != 0) &&
	       (!image || s.image_sealed);
}

} // namespace

Fault parse_fault(std::string_view value)
{
	for (std::size_t i = 0; i < std::size(kFaultNames); i++)
		if (value == kFaultNames[i])
			return static_cast<Fault>(i);
	std::string known;
	for (std::size_t i = 1; i < std::size(kFaultNames); i++)
		known += (i > 1 ? ", " : "") + std::string(kFaultNames[i]);
	throw std::invalid_argument("unknown step '" + std::string(value) + "' (steps: " + known + ")");
}

std::string_view fault_name(Fault f)
{
	return kFaultNames[static_cast<std::size_t>(f)];
}

std::vector<pid_t> children(pid_t pid, const std::string &proc_root)
{
	std::set<pid_t> out;
	std::string task = proc_root + "/" + pid_str(pid) + "/task";
	DIR *d = opendir(task.c_str());
	if (!d)
		return {};
	while (dirent *e = readdir(d)) {
		if (e->d_name[0] == '.')
			continue;
		std::istringstream in(read_text(task + "/" + e->d_name + "/children"));
		for (long c; in >> c;)
			if (c > 0)
				out.insert(static_cast<pid_t>(c));
	}
	closedir(d);
	return {out.begin(), out.end()};
}

unsigned seal_workers()
{
	return std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
}

std::vector<pid_t> walk_tree(pid_t root, const std::function<void(pid_t)> &visit, const std::string &proc_root,
                             unsigned workers)
{
	struct Node {
		bool visited = false;
		std::vector<pid_t> children; // those first found under this process
	};
	std::mutex mu;
	std::condition_variable cv;
	std::map<pid_t, Node> nodes{{root, {}}};
	std::vector<pid_t> todo{root};
	unsigned busy = 0;
	bool stop = false;
	std::exception_ptr error;
	auto work = [&] {
		std::unique_lock lock(mu);
		for (;;) {
			cv.wait(lock, [&] { return stop || !todo.empty() || busy == 0; });
			if (stop || todo.empty())
				return;
			// A signal to stop: no new target; the current ones finish.
			if (workers > 1 && HoldSignals::pending()) {
				stop = true;
				cv.notify_all();
				return;
			}
			pid_t p = todo.back();
			todo.pop_back();
			nodes[p].visited = true;
			busy++;
			lock.unlock();
			std::vector<pid_t> kids;
			try {
				visit(p);
				kids = children(p, proc_root);
			} catch (...) {
				lock.lock();
				if (!error)
					error = std::current_exception();
				stop = true;
				busy--;
				cv.notify_all();
				return;
			}
			lock.lock();
			busy--;
			std::vector<pid_t> &under = nodes[p].children;
			for (pid_t k : kids)
				if (nodes.try_emplace(k).second)
					under.push_back(k);
			todo.insert(todo.end(), under.rbegin(), under.rend()); // the first child next
			cv.notify_all();
		}
	};
	if (workers <= 1) {
		work();
	} else {
		HoldSignals hold; // the workers inherit it
		std::vector<std::jthread> pool;
		for (unsigned i = 0; i < workers; i++)
			pool.emplace_back(work);
	}
	if (error)
		std::rethrow_exception(error);
	// Parents before their children, each child's subtree in turn.
	std::vector<pid_t> order, stack{root};
	while (!stack.empty()) {
		pid_t p = stack.back();
		stack.pop_back();
		const Node &n = nodes[p];
		if (!n.visited)
			continue;
		order.push_back(p);
		stack.insert(stack.end(), n.children.rbegin(), n.children.rend());
	}
	return order;
}

std::optional<TraceInfo> parse_trace_info(std::string_view status)
{
	TraceInfo ti;
	int found = 0;
	while (!status.empty()) {
		auto nl = status.find('\n');
		std::string_view line = status.substr(0, nl);
		status.remove_prefix(nl == std::string_view::npos ? status.size() : nl + 1);
		auto colon = line.find(':');
		if (colon == std::string_view::npos)
			continue;
		std::string_view key = line.substr(0, colon), val = line.substr(colon + 1);
		val.remove_prefix(std::min(val.find_first_not_of(" \t"), val.size()));
		auto num = [&](auto &out) {
			auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), out);
			return ec == std::errc();
		};
		if (key == "Tgid" && num(ti.tgid))
			found |= 1;
		else if (key == "TracerPid" && num(ti.tracer))
			found |= 2;
		else if (key == "Uid" && num(ti.uid))
			found |= 4;
		else if (key == "Seccomp")
			num(ti.seccomp);
	}
	if (found != 7)
		return std::nullopt;
	return ti;
}

unsigned long seal_flags(const SealState &now, bool lock)
{
	return kFlagSeal | kFlagImage | (lock || now.locked ? kFlagLock : 0);
}

std::vector<PrctlArgs> prctl_calls(const SealState &now, unsigned long flags)
{
	std::vector<PrctlArgs> calls;
	Policy want = Policy::from_flags(flags);
	if (Policy{now.policy_seal, now.locked} != want)
		calls.push_back({PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SET, want.flags(), 0, 0});
	if ((flags & kFlagImage) && !now.image_sealed)
		calls.push_back({PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SEAL_IMAGE, 0, 0, 0});
	return calls;
}

namespace
{

// The target's status file, and what it says: read once for all that
// apply() decides before it attaches.
Process read_target(pid_t pid, std::string &status)
{
	status = read_text("/proc/" + pid_str(pid) + "/status");
	if (!status.empty())
		if (auto p = parse_process(pid, status))
			return *p;
	// Unreadable (read_process() says why), or the status of a kernel
	// before 6.0 (read_process() reads the stat file too).
	Process p = read_process(pid, ReadOptions{false, [](const Process &) { return false; }});
	status = read_text("/proc/" + pid_str(pid) + "/status");
	return p;
}

// apply(), with the state to reach decided from the state the target is in.
SealState apply_as(pid_t pid, const std::function<unsigned long(const SealState &)> &want, Fault fault)
{
	using K = SealError::Kind;
	Process p;
	std::string status;
	try {
		p = read_target(pid, status);
	} catch (const ProcError &e) {
		if (e.kind() == ProcError::Kind::Gone)
			throw SealError(K::Gone, "no such process", "check the PID");
		if (e.kind() == ProcError::Kind::Denied)
			throw SealError(K::Denied, e.what(),
			                "/proc may be mounted with hidepid=; run sysmapctl as root");
		throw SealError(K::Interrupted, e.what(), "see sysmapctl(1)");
	}
	switch (p.task) {
	case Task::KernelThread:
		throw SealError(K::Unsealable, "it is a kernel thread",
		                "kernel threads have no system mappings to seal");
	case Task::Zombie:
		throw SealError(K::Unsealable, "it is a zombie (exited, not yet reaped)", "nothing is left to seal");
	case Task::Exiting:
		throw SealError(K::Unsealable, "it is exiting", "nothing is left to seal");
	case Task::Process:
		break;
	}
	if (!p.state) {
		if (!kernel_supports_sealing())
			throw SealError(K::Unsupported, "this kernel does not seal system mappings",
			                "boot a kernel with CONFIG_MSEAL_SYSTEM_MAPPINGS");
		throw SealError(K::Interrupted, "its status has no Mseal_sysmap: line", "see sysmapctl(1)");
	}
	const unsigned long flags = want(*p.state);
	const bool image = (flags & kFlagImage) != 0;
	// Sealing the image also seals the vDSO proxy a CRIU restore left: it
	// is what the program calls instead of the kernel's vDSO. A process
	// that needs a call anyway is asked once it is stopped, from the
	// [vdso] read then for the system-call instruction.
	std::optional<std::vector<Mapping>> proxies;
	if (satisfies(*p.state, flags)) {
		proxies = image ? unsealed_proxies(pid) : std::vector<Mapping>{};
		if (proxies->empty())
			return *p.state;
	}
	auto ti = parse_trace_info(status);
	if (!ti)
		throw SealError(K::Gone, "no such process", "check the PID");
	if (ti->tracer != 0) {
		std::string comm = read_text("/proc/" + pid_str(ti->tracer) + "/comm");
		comm.erase(std::remove(comm.begin(), comm.end(), '\n'), comm.end());
		throw SealError(K::Traced,
		                "it is already traced by PID " + pid_str(ti->tracer) +
		                    (comm.empty() ? "" : " (" + comm + ")"),
		                "detach the debugger or tracer first");
	}
	if (ti->seccomp == 1)
		throw SealError(K::Unsupported, "it runs in strict seccomp mode, which would kill it for a prctl()",
		                "it cannot be sealed from outside");
	// A filter could kill it for the call: it is suspended while the call
	// runs (PTRACE_O_SUSPEND_SECCOMP), which needs CAP_SYS_ADMIN.
	if (ti->seccomp == 2 && ti->tgid != getpid() && !has_cap_sys_admin())
		throw SealError(K::Denied,
		                "it runs under a seccomp filter, which sysmapctl must suspend for the call it "
		                "injects, and that needs CAP_SYS_ADMIN",
		                "run sysmapctl as root");
	std::optional<Injector> injector;
	auto run = [&](const Call &call) {
		if (ti->tgid == getpid())
			return call_self(call);
		if (!injector)
			injector.emplace(pid, *ti, fault);
		return injector->run(call);
	};
	// The policy first, then the image: sealing it is allowed under the
	// policy just set, a lock included.
	bool set = false;
	for (const auto &args : prctl_calls(*p.state, flags)) {
		if (long ret = run(prctl_call(args)); ret < 0)
			throw refused(static_cast<int>(-ret), args, *p.state, set);
		set = set || args[1] == PR_MSEAL_SYSMAP_SET;
	}
	// Sealing a proxy that is sealed already succeeds: from the maps read
	// while the target was stopped, without its smaps.
	if (!proxies)
		proxies = !image ? std::vector<Mapping>{} : injector ? injector->proxies() : unsealed_proxies(pid);
	for (const auto &m : *proxies)
		if (long ret = run(mseal_call(m)); ret < 0)
			throw SealError(K::Refused,
			                "its image is sealed, but mseal() of the " + m.name +
			                    " a CRIU restore left at " + hex(m.start) +
			                    " failed: " + std::strerror(static_cast<int>(-ret)),
			                "the program still calls that copy; restart it to run on the kernel's vDSO");
	if (injector)
		injector->release();
	auto after = state_of(pid);
	if (!after)
		throw SealError(K::Gone, "it exited while it was being sealed", "nothing is left to seal");
	if (!satisfies(*after, flags))
		throw SealError(K::Refused, "the call succeeded, but its status does not show the new state",
		                "check it with 'sysmapctl status'");
	return *after;
}

} // namespace

SealState apply(pid_t pid, unsigned long flags, Fault fault)
{
	return apply_as(
	    pid, [flags](const SealState &) { return flags; }, fault);
}

SealState seal(pid_t pid, bool lock, Fault fault)
{
	return apply_as(
	    pid, [lock](const SealState &now) { return seal_flags(now, lock); }, fault);
}

} // namespace sysmap::reseal
