// riscv64: see arch.hpp.
#if defined(__riscv) && __riscv_xlen == 64

#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.hpp"

namespace sysmap::reseal::arch
{

bool get_regs(pid_t tid, Regs &r)
{
	iovec iov{r.x.data(), sizeof(r.x)};
	return ptrace(PTRACE_GETREGSET, tid, reinterpret_cast<void *>(NT_PRSTATUS), &iov) == 0 &&
	       iov.iov_len == sizeof(r.x);
}

bool set_regs(pid_t tid, const Regs &r)
{
	iovec iov{const_cast<unsigned long *>(r.x.data()), sizeof(r.x)};
	return ptrace(PTRACE_SETREGSET, tid, reinterpret_cast<void *>(NT_PRSTATUS), &iov) == 0;
}

bool compat(const Regs &)
{
	return false;
}

// "ecall" (0x00000073), on any 2-byte boundary: the vDSO may be built
// with compressed instructions.
Insn syscall_insn(const Regs &)
{
	return Insn{{0x73, 0x00, 0x00, 0x00}, 2, {}};
}

std::uint64_t pc(const Regs &r)
{
	return r.x[kPc];
}

long interrupted_call(const Regs &)
{
	// riscv rewinds a call to restart before the stop (pc back on its
	// ecall, a0 its first argument again), as arm64 does: nothing to find
	// behind the pc.
	return -1;
}

Regs prepare(const Regs &saved, std::uint64_t at, const Call &call)
{
	Regs r = saved;
	r.x[kPc] = at;
	r.x[kA7] = static_cast<unsigned long>(call.native);
	for (std::size_t i = 0; i < call.args.size(); i++)
		r.x[kA0 + i] = call.args[i];
	return r;
}

long call_nr(const Regs &r)
{
	return static_cast<long>(r.x[kA7]);
}

long expected_nr(const Regs &, const Call &call)
{
	return call.native;
}

long result(const Regs &r, const Regs &)
{
	return static_cast<long>(r.x[kA0]);
}

bool skip_call(pid_t tid, Regs &r)
{
	// An invalid number: the kernel returns -ENOSYS without a call.
	r.x[kA7] = static_cast<unsigned long>(-1L);
	return set_regs(tid, r);
}

std::optional<std::string> unsupported_abi(const Regs &)
{
	return std::nullopt;
}

} // namespace sysmap::reseal::arch

#endif
