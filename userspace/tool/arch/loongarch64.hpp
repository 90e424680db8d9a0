// loongarch64: the registers "sysmapctl seal" borrows. See arch.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <sys/syscall.h>

namespace sysmap::reseal::arch
{

// The NT_PRSTATUS register set (the kernel's user_pt_regs): r0-r31, the
// first argument the call was entered with, the pc (era) and badv. r0
// reads as zero in user space, but the kernel keeps there, one above its
// number, the system call a thread was stopped in, and decides from it
// after the stop whether to restart that call.
struct Regs {
	std::array<unsigned long, 32> r{};
	unsigned long orig_a0 = 0;
	unsigned long era = 0;
	unsigned long badv = 0;
	std::array<unsigned long, 10> reserved{};
};

constexpr std::size_t kInCall = 0; // the call stopped in, plus one; 0 if none
constexpr std::size_t kA0 = 4;     // the arguments (a0-a4) and the result
constexpr std::size_t kA7 = 11;    // the system call's number

constexpr long kPrctlNative = SYS_prctl; // 167
constexpr long kPrctlCompat = -1;        // no 32-bit processes

} // namespace sysmap::reseal::arch
