// s390x: see arch.hpp.
#if defined(__s390x__)

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.hpp"

namespace sysmap::reseal::arch
{

namespace
{

// The system call's number for "svc 0"; the arguments go in r2-r6, and
// the result comes back in r2, which at the entry stop holds the number.
constexpr std::size_t kNr = 1, kArg0 = 2, kResult = 2;

bool regset(__ptrace_request request, pid_t tid, unsigned long type, void *data, std::size_t len)
{
	iovec iov{data, len};
	return ptrace(request, tid, reinterpret_cast<void *>(type), &iov) == 0 && iov.iov_len == len;
}

} // namespace

bool get_regs(pid_t tid, Regs &r)
{
	return regset(PTRACE_GETREGSET, tid, NT_PRSTATUS, &r.r, sizeof(r.r)) &&
	       regset(PTRACE_GETREGSET, tid, NT_S390_SYSTEM_CALL, &r.system_call, sizeof(r.system_call));
}

// The system call last: writing r2 while the thread is in a call changes
// the call's number, which the saved system_call then puts right.
bool set_regs(pid_t tid, const Regs &r)
{
	auto regs = r.r;
	auto system_call = r.system_call;
	return regset(PTRACE_SETREGSET, tid, NT_PRSTATUS, &regs, sizeof(regs)) &&
	       regset(PTRACE_SETREGSET, tid, NT_S390_SYSTEM_CALL, &system_call, sizeof(system_call));
}

bool compat(const Regs &)
{
	return false;
}

// "svc 0" (0a 00), on any 2-byte boundary; "svc N" with N > 0 makes call
// N whatever r1 holds, so only this one will do.
Insn syscall_insn(const Regs &)
{
	return Insn{{0x0a, 0x00}, 2, {}};
}

std::uint64_t pc(const Regs &r)
{
	return r.r.psw_addr;
}

// s390 decides after the stop whether to restart the call the thread was
// in (from the system_call the regset gives), so the pc is still behind
// its svc here.
long interrupted_call(const Regs &r)
{
	return r.system_call != 0 ? static_cast<long>(r.system_call & 0xffff) : -1;
}

Regs prepare(const Regs &saved, std::uint64_t at, const Call &call)
{
	Regs r = saved;
	r.r.psw_addr = at;
	r.r.gprs[kNr] = static_cast<std::uint64_t>(call.native);
	for (std::size_t i = 0; i < call.args.size(); i++)
		r.r.gprs[kArg0 + i] = call.args[i];
	// Not in a call any more: nothing to restart when the thread resumes
	// at `at`. The interrupted call is restarted once the saved registers
	// and system_call are back.
	r.system_call = 0;
	return r;
}

long call_nr(const Regs &r)
{
	return static_cast<long>(r.r.gprs[kResult]);
}

long expected_nr(const Regs &, const Call &call)
{
	return call.native;
}

long result(const Regs &r, const Regs &)
{
	return static_cast<long>(r.r.gprs[kResult]);
}

bool skip_call(pid_t tid, Regs &r)
{
	// At the entry stop r2 is the call's number: an invalid one makes the
	// kernel return -ENOSYS without a call.
	r.r.gprs[kResult] = static_cast<std::uint64_t>(-1L);
	return set_regs(tid, r);
}

std::optional<std::string> unsupported_abi(const Regs &)
{
	return std::nullopt;
}

} // namespace sysmap::reseal::arch

#endif
