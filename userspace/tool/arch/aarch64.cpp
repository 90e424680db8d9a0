// arm64 and its AArch32 processes: see arch.hpp.
#if defined(__aarch64__)

#include <cstring>
#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.hpp"

namespace sysmap::reseal::arch
{

// AArch32 registers in the compat register set
constexpr std::size_t kR0 = 0, kR7 = 7, kPc = 15, kCpsr = 16;
constexpr std::uint32_t kCpsrThumb = 1u << 5; // PSR_AA32_T_BIT

bool get_regs(pid_t tid, Regs &r)
{
	iovec iov{&r.r, sizeof(r.r)};
	if (ptrace(PTRACE_GETREGSET, tid, reinterpret_cast<void *>(NT_PRSTATUS), &iov) != 0)
		return false;
	// An AArch32 process's register set is the 18 words of its own ABI.
	r.a32 = iov.iov_len == sizeof(r.c);
	if (r.a32) {
		std::memcpy(r.c.data(), &r.r, sizeof(r.c));
		r.r = {};
	}
	return true;
}

bool set_regs(pid_t tid, const Regs &r)
{
	iovec iov = r.a32 ? iovec{const_cast<std::uint32_t *>(r.c.data()), sizeof(r.c)}
	                  : iovec{const_cast<user_regs_struct *>(&r.r), sizeof(r.r)};
	return ptrace(PTRACE_SETREGSET, tid, reinterpret_cast<void *>(NT_PRSTATUS), &iov) == 0;
}

bool compat(const Regs &r)
{
	return r.a32;
}

// "svc #0"; for an AArch32 process any "svc" in the ARM encoding (its
// number is in r7, the immediate is ignored; [sigpage] has "svc #119"):
// prepare() switches a Thumb thread to ARM state for the call, and its
// cpsr comes back after.
Insn syscall_insn(const Regs &r)
{
	return compat(r) ? Insn{{0x00, 0x00, 0x00, 0xef}, 4, {0x00, 0x00, 0x00, 0xff}}
	                 : Insn{{0x01, 0x00, 0x00, 0xd4}, 4, {}};
}

std::uint64_t pc(const Regs &r)
{
	return compat(r) ? r.c[kPc] : r.r.pc;
}

long interrupted_call(const Regs &)
{
	// arm64 rewinds an interrupted call before the stop, for AArch32
	// processes too: pc already points back at its svc, so there is
	// nothing to find behind it.
	return -1;
}

Regs prepare(const Regs &saved, std::uint64_t at, const Call &call)
{
	Regs r = saved;
	if (compat(r)) {
		r.c[kPc] = static_cast<std::uint32_t>(at);
		r.c[kCpsr] &= ~kCpsrThumb;
		// The arguments: r0-r4 for an AArch32 process, x0-x4 otherwise.
		r.c[kR7] = static_cast<std::uint32_t>(call.compat);
		for (std::size_t i = 0; i < call.args.size(); i++)
			r.c[kR0 + i] = static_cast<std::uint32_t>(call.args[i]);
		return r;
	}
	r.r.pc = at;
	r.r.regs[8] = static_cast<unsigned long long>(call.native);
	for (std::size_t i = 0; i < call.args.size(); i++)
		r.r.regs[i] = call.args[i];
	return r;
}

long call_nr(const Regs &r)
{
	return compat(r) ? static_cast<long>(r.c[kR7]) : static_cast<long>(r.r.regs[8]);
}

long expected_nr(const Regs &saved, const Call &call)
{
	return compat(saved) ? call.compat : call.native;
}

long result(const Regs &r, const Regs &saved)
{
	return compat(saved) ? static_cast<long>(static_cast<std::int32_t>(r.c[kR0])) : static_cast<long>(r.r.regs[0]);
}

bool skip_call(pid_t tid, Regs &)
{
	// arm64 takes the number of the call from a copy it made before the
	// entry stop, for AArch32 processes too: x8 or r7 written now would
	// not change the call, NT_ARM_SYSTEM_CALL does (-1: no call).
	int nr = -1;
	iovec iov{&nr, sizeof(nr)};
	return ptrace(PTRACE_SETREGSET, tid, reinterpret_cast<void *>(NT_ARM_SYSTEM_CALL), &iov) == 0;
}

std::optional<std::string> unsupported_abi(const Regs &)
{
	return std::nullopt;
}

} // namespace sysmap::reseal::arch

#endif
