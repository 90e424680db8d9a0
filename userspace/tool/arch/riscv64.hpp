// riscv64: the registers "sysmapctl seal" borrows. See arch.hpp.
#pragma once

#include <array>
#include <cstddef>
#include <sys/syscall.h>

namespace sysmap::reseal::arch
{

// The NT_PRSTATUS register set: pc, then x1-x31 (ra, sp, gp, tp, t0-t2,
// s0, s1, a0-a7, s2-s11, t3-t6), so that x[n] is register xn and x[0]
// the pc.
struct Regs {
	std::array<unsigned long, 32> x{};
};

constexpr std::size_t kPc = 0;
constexpr std::size_t kA0 = 10; // the arguments and the return value
constexpr std::size_t kA7 = 17; // the system call's number

constexpr long kPrctlNative = SYS_prctl; // 167
constexpr long kPrctlCompat = -1;        // no 32-bit processes

} // namespace sysmap::reseal::arch
