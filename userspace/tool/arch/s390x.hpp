// s390x: the registers "sysmapctl seal" borrows. See arch.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <sys/syscall.h>

namespace sysmap::reseal::arch
{

// The NT_PRSTATUS register set (the kernel's s390_regs), and the system
// call the thread was in (NT_S390_SYSTEM_CALL): the kernel decides from
// that one, not from the registers, whether to restart a call, so it is
// saved and given back with them.
struct Regs {
	struct {
		std::uint64_t psw_mask = 0;
		std::uint64_t psw_addr = 0;
		std::array<std::uint64_t, 16> gprs{};
		std::array<std::uint32_t, 16> acrs{};
		std::uint64_t orig_gpr2 = 0;
	} r;
	std::uint32_t system_call = 0;
};

constexpr long kPrctlNative = SYS_prctl; // 172
constexpr long kPrctlCompat = -1;        // no 31-bit processes

} // namespace sysmap::reseal::arch
