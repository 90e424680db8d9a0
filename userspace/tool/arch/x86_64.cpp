// x86_64 and its ia32 processes: see arch.hpp.
#if defined(__x86_64__)

#include <cstring>
#include <elf.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "arch.hpp"

namespace sysmap::reseal::arch
{

constexpr unsigned long kUser32Cs = 0x23; // __USER32_CS: an ia32 process

bool get_regs(pid_t tid, Regs &r)
{
	return ptrace(PTRACE_GETREGS, tid, nullptr, &r.r) == 0;
}

bool set_regs(pid_t tid, const Regs &r)
{
	return ptrace(PTRACE_SETREGS, tid, nullptr, &r.r) == 0;
}

bool compat(const Regs &r)
{
	return r.r.cs == kUser32Cs;
}

// "syscall" (0f 05); an ia32 process: "int $0x80" (cd 80). Jumping into
// the middle of a longer instruction that contains these bytes is fine:
// the injected call stops at its exit, before anything after it runs.
Insn syscall_insn(const Regs &r)
{
	return compat(r) ? Insn{{0xcd, 0x80}, 1, {}} : Insn{{0x0f, 0x05}, 1, {}};
}

std::uint64_t pc(const Regs &r)
{
	return r.r.rip;
}

// The system call the thread was in when it stopped, or -1.
long interrupted_call(const Regs &r)
{
	return static_cast<long>(r.r.orig_rax);
}

Regs prepare(const Regs &saved, std::uint64_t at, const Call &call)
{
	Regs r = saved;
	r.r.rip = at;
	// No system call to restart when the thread resumes at `at`: the
	// interrupted one is restarted after the registers are given back.
	r.r.orig_rax = static_cast<unsigned long long>(-1LL);
	// The arguments: ebx, ecx, edx, esi, edi for an ia32 process (the
	// kernel reads the low 32 bits), rdi, rsi, rdx, r10, r8 otherwise.
	if (compat(saved)) {
		r.r.rax = static_cast<unsigned long long>(call.compat);
		unsigned long long *regs[] = {&r.r.rbx, &r.r.rcx, &r.r.rdx, &r.r.rsi, &r.r.rdi};
		for (std::size_t i = 0; i < call.args.size(); i++)
			*regs[i] = static_cast<std::uint32_t>(call.args[i]);
	} else {
		r.r.rax = static_cast<unsigned long long>(call.native);
		unsigned long long *regs[] = {&r.r.rdi, &r.r.rsi, &r.r.rdx, &r.r.r10, &r.r.r8};
		for (std::size_t i = 0; i < call.args.size(); i++)
			*regs[i] = call.args[i];
	}
	return r;
}

long call_nr(const Regs &r)
{
	return static_cast<long>(r.r.orig_rax);
}

long expected_nr(const Regs &saved, const Call &call)
{
	return compat(saved) ? call.compat : call.native;
}

long result(const Regs &r, const Regs &saved)
{
	return compat(saved) ? static_cast<long>(static_cast<int>(r.r.rax)) : static_cast<long>(r.r.rax);
}

bool skip_call(pid_t tid, Regs &r)
{
	// The number the kernel calls is orig_rax; -1 is none.
	r.r.orig_rax = static_cast<unsigned long long>(-1LL);
	return set_regs(tid, r);
}

std::optional<std::string> unsupported_abi(const Regs &)
{
	return std::nullopt;
}

} // namespace sysmap::reseal::arch

#endif
