// The pattern rr follows with every process it records, without rr: trace
// a program, and right after its execve() make it unmap its [vvar] and move
// its [vdso], by injecting the system calls into it with ptrace. rr itself
// needs hardware performance counters, which software emulation lacks.
//
//   rr_pattern PROGRAM [ARGS...]
//
// Prints each injected call and its result. Exit status: 0 both calls
// succeeded (the tracee is unsealed), 1 both were refused with EPERM (it is
// sealed), 2 anything else.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <optional>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "sysmap/procfs.hpp"

namespace
{

struct Tracee {
	pid_t pid;
	std::uintptr_t syscall_insn;

	// Run one system call in the tracee and return its raw result.
	long inject(long nr, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0)
	{
		user_regs_struct saved{}, regs{};
		if (ptrace(PTRACE_GETREGS, pid, nullptr, &saved))
			throw std::runtime_error(std::string("PTRACE_GETREGS: ") + std::strerror(errno));
		regs = saved;
		regs.rip = syscall_insn;
		regs.rax = nr;
		regs.rdi = a0;
		regs.rsi = a1;
		regs.rdx = a2;
		regs.r10 = a3;
		regs.r8 = a4;
		int status;
		if (ptrace(PTRACE_SETREGS, pid, nullptr, &regs) || ptrace(PTRACE_SINGLESTEP, pid, nullptr, nullptr) ||
		    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
			throw std::runtime_error("single-stepping the injected system call failed");
		ptrace(PTRACE_GETREGS, pid, nullptr, &regs);
		ptrace(PTRACE_SETREGS, pid, nullptr, &saved);
		return static_cast<long>(regs.rax);
	}
};

// The address of a "syscall" instruction (0f 05) in the tracee's vDSO.
std::uintptr_t find_syscall_insn(pid_t pid, const sysmap::Mapping &vdso)
{
	std::vector<unsigned char> text(vdso.size());
	int fd = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, text.data(), text.size(), static_cast<off_t>(vdso.start));
	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i + 1 < n; i++)
		if (text[i] == 0x0f && text[i + 1] == 0x05)
			return vdso.start + i;
	throw std::runtime_error("no syscall instruction found in the tracee's [vdso]");
}

std::string result(long r)
{
	return r < 0 && r > -4096 ? std::string("refused, ") + std::strerror(static_cast<int>(-r)) : "succeeded";
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2) {
		std::cerr << "usage: rr_pattern PROGRAM [ARGS...]\n";
		return 2;
	}
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
		std::cerr << "rr_pattern: the tracee did not stop after execve()\n";
		return 2;
	}
	int rc = 2;
	try {
		auto vvar = sysmap::find_mapping(pid, "[vvar]"), vdso = sysmap::find_mapping(pid, "[vdso]");
		if (!vvar || !vdso)
			throw std::runtime_error("the tracee has no [vvar] or [vdso]");
		std::cout << "tracee " << pid << ": [vdso] " << (vdso->sealed ? "sealed" : "not sealed") << "\n";
		Tracee t{pid, find_syscall_insn(pid, *vdso)};
		long spare =
		    t.inject(SYS_mmap, 0, static_cast<long>(vdso->size()), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
		if (spare < 0 && spare > -4096)
			throw std::runtime_error("injected mmap() failed: " + result(spare));
		long unmap = t.inject(SYS_munmap, static_cast<long>(vvar->start), static_cast<long>(vvar->size()));
		std::cout << "  injected munmap([vvar]): " << result(unmap) << "\n";
		long move = t.inject(SYS_mremap, static_cast<long>(vdso->start), static_cast<long>(vdso->size()),
		                     static_cast<long>(vdso->size()), MREMAP_MAYMOVE | MREMAP_FIXED, spare);
		std::cout << "  injected mremap([vdso]): " << result(move) << "\n";
		if (unmap == 0 && move == spare)
			rc = 0;
		else if (unmap == -EPERM && move == -EPERM)
			rc = 1;
	} catch (const std::exception &e) {
		std::cerr << "rr_pattern: " << e.what() << "\n";
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return rc;
}
