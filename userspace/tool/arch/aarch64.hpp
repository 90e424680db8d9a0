// arm64 (and AArch32 processes on it): the registers "sysmapctl seal"
// borrows. See arch.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <sys/syscall.h>
#include <sys/user.h>

namespace sysmap::reseal::arch
{

struct Regs {
	user_regs_struct r{};
	// An AArch32 process: r0-r15, cpsr and orig_r0, as its NT_PRSTATUS
	// register set gives them to a 64-bit tracer.
	bool a32 = false;
	std::array<std::uint32_t, 18> c{};
};

constexpr long kPrctlNative = SYS_prctl; // 167
constexpr long kPrctlCompat = 172;       // arch/arm/tools/syscall.tbl

} // namespace sysmap::reseal::arch
