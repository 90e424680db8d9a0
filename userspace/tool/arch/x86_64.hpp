// x86_64 (and ia32 processes on it): the registers "sysmapctl seal"
// borrows. See arch.hpp.
#pragma once

#include <sys/syscall.h>
#include <sys/user.h>

namespace sysmap::reseal::arch
{

struct Regs {
	user_regs_struct r{};
};

constexpr long kPrctlNative = SYS_prctl; // 157
constexpr long kPrctlCompat = 172;       // arch/x86/entry/syscalls/syscall_32.tbl

} // namespace sysmap::reseal::arch
