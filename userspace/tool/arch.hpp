// The per-architecture half of "sysmapctl seal": the registers of a
// stopped thread, where a system call's number and arguments go, and the
// instruction that enters the kernel. Each architecture is one pair of
// files, arch/<name>.hpp (its registers and system-call numbers) and
// arch/<name>.cpp (the functions below); reseal.cpp, the tracee logic, is
// the same everywhere. An architecture without a pair cannot seal other
// processes (SYSMAP_NO_INJECTION).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sysmap::reseal::arch
{

// A system call to run in the target: its number for a native and for a
// compat (32-bit) process, -1 where that ABI lacks it, and its arguments,
// all five of them: prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SET,
// policy, 0, 0) needs three, and the kernel refuses (EINVAL) any unused
// argument that is not 0, so the ones a call does not use are 0 here and
// prepare() puts every one in its register.
struct Call {
	long native;
	long compat;
	std::array<unsigned long, 5> args;
};

// The instruction bytes that make a system call, for the target's ABI.
struct Insn {
	std::vector<unsigned char> bytes;
	std::size_t align = 1;
	std::vector<unsigned char> mask; // bits that must match; all if empty

	bool at(const std::vector<unsigned char> &text, std::size_t i) const
	{
		for (std::size_t k = 0; k < bytes.size(); k++) {
			unsigned char m = mask.empty() ? 0xff : mask[k];
			if ((text[i + k] & m) != (bytes[k] & m))
				return false;
		}
		return true;
	}
};

// mseal(2): 462 in every table that has it; the kernel seals 64-bit
// processes only.
constexpr long kMseal = 462;

} // namespace sysmap::reseal::arch

#if defined(__x86_64__)
#include "arch/x86_64.hpp"
#elif defined(__aarch64__)
#include "arch/aarch64.hpp"
#elif defined(__riscv) && __riscv_xlen == 64
#include "arch/riscv64.hpp"
#elif defined(__s390x__)
#include "arch/s390x.hpp"
#elif defined(__loongarch__) && __loongarch_grlen == 64
#include "arch/loongarch64.hpp"
#else
#define SYSMAP_NO_INJECTION 1
#endif

#ifndef SYSMAP_NO_INJECTION
namespace sysmap::reseal::arch
{

// The registers of a stopped thread, and back.
bool get_regs(pid_t tid, Regs &r);
bool set_regs(pid_t tid, const Regs &r);
// Whether the thread runs the 32-bit ABI (ia32, AArch32).
bool compat(const Regs &r);
// The instruction that makes a system call, for the thread's ABI.
Insn syscall_insn(const Regs &r);
// Its program counter.
std::uint64_t pc(const Regs &r);
// The system call it was stopped in, or -1.
long interrupted_call(const Regs &r);
// `saved`, set to make `call` at `at`.
Regs prepare(const Regs &saved, std::uint64_t at, const Call &call);
// The system call a thread stopped at the entry of is making.
long call_nr(const Regs &r);
// The number `call` has for the ABI of `saved`; -1 if it has none there.
long expected_nr(const Regs &saved, const Call &call);
// What the call returned, a negative errno on failure.
long result(const Regs &r, const Regs &saved);
// Make the kernel skip the system call the thread is stopped at the entry
// of, whose registers are `r`: false, with errno set, if that failed.
bool skip_call(pid_t tid, Regs &r);
// Why a thread in this state cannot be made to call anything, if it cannot.
std::optional<std::string> unsupported_abi(const Regs &r);

} // namespace sysmap::reseal::arch
#endif
