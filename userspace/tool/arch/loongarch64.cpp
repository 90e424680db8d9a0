// loongarch64: see arch.hpp.
#if defined(__loongarch__) && __loongarch_grlen == 64

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.hpp"

namespace sysmap::reseal::arch
{

bool get_regs(pid_t tid, Regs &r)
{
	iovec iov{&r, sizeof(r)};
	return ptrace(PTRACE_GETREGSET, tid, reinterpret_cast<void *>(NT_PRSTATUS), &iov) == 0 &&
	       iov.iov_len >= offsetof(Regs, reserved);
}

bool set_regs(pid_t tid, const Regs &r)
{
	iovec iov{const_cast<Regs *>(&r), offsetof(Regs, reserved)};
	return ptrace(PTRACE_SETREGSET, tid, reinterpret_cast<void *>(NT_PRSTATUS), &iov) == 0;
}

bool compat(const Regs &)
{
	return false;
}

// "syscall 0" (0x002b0000, little-endian), 4-byte aligned.
Insn syscall_insn(const Regs &)
{
	return Insn{{0x00, 0x00, 0x2b, 0x00}, 4, {}};
}

std::uint64_t pc(const Regs &r)
{
	return r.era;
}

// LoongArch decides after the stop, from r0, whether to restart the call
// the thread was in (as s390 does), so the pc is still behind its
// "syscall" here.
long interrupted_call(const Regs &r)
{
	return r.r[kInCall] != 0 ? static_cast<long>(r.r[kInCall] - 1) : -1;
}

Regs prepare(const Regs &saved, std::uint64_t at, const Call &call)
{
	Regs r = saved;
	r.era = at;
	r.r[kA7] = static_cast<unsigned long>(call.native);
	for (std::size_t i = 0; i < call.args.size(); i++)
		r.r[kA0 + i] = call.args[i];
	// Not in a call any more: nothing to restart when the thread resumes
	// at `at`. The interrupted call is restarted once the saved registers
	// are back.
	r.r[kInCall] = 0;
	return r;
}

long call_nr(const Regs &r)
{
	return static_cast<long>(r.r[kA7]);
}

long expected_nr(const Regs &, const Call &call)
{
	return call.native;
}

long result(const Regs &r, const Regs &)
{
	return static_cast<long>(r.r[kA0]);
}

bool skip_call(pid_t tid, Regs &r)
{
	// An invalid number: the kernel returns -ENOSYS without a call.
	r.r[kA7] = static_cast<unsigned long>(-1L);
	return set_regs(tid, r);
}

std::optional<std::string> unsupported_abi(const Regs &)
{
	return std::nullopt;
}

} // namespace sysmap::reseal::arch

#endif
