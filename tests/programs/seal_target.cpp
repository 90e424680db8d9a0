// A process for "sysmapctl seal" to seal from outside, which notices if
// that disturbs it. DIR/ready holds its PID once it is set up.
//
//   seal_target DIR spin [THREADS]  the main thread loops with known values
//                                   in every general-purpose register and
//                                   exits 99 if one changes; a thread
//                                   writes the loop count to DIR/counter;
//                                   THREADS more threads count as well
//   seal_target DIR read            reads lines from stdin, writes each to
//                                   DIR/got ("error N" if read() fails)
//   seal_target DIR sleep MS        sleeps MS milliseconds in one
//                                   nanosleep(), then writes "rc=R errno=E
//                                   ms=M" to DIR/slept and exits
//   seal_target DIR trace PID       attaches to PID with PTRACE_SEIZE and
//                                   stays attached (a tracer in the way)
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <sys/ptrace.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern "C" {
volatile std::uint64_t sysmap_spin_counter = 0;
volatile std::uint64_t sysmap_spin_rsp = 0;
[[noreturn]] void sysmap_spin_check();
}

// The register check: a known value in each register, compared on every
// round; the loop touches no stack, so %rsp must not move either.
asm(R"(
	.text
	.globl sysmap_spin_check
	.type sysmap_spin_check, @function
sysmap_spin_check:
	movq %rsp, sysmap_spin_rsp(%rip)
	movabsq $0x1111111111111111, %rbx
	movabsq $0x2222222222222222, %rcx
	movabsq $0x3333333333333333, %rdx
	movabsq $0x4444444444444444, %rsi
	movabsq $0x5555555555555555, %rdi
	movabsq $0x6666666666666666, %rbp
	movabsq $0x7777777777777777, %r8
	movabsq $0x8888888888888888, %r9
	movabsq $0x9999999999999999, %r10
	movabsq $0xaaaaaaaaaaaaaaaa, %r11
	movabsq $0xbbbbbbbbbbbbbbbb, %r12
	movabsq $0xcccccccccccccccc, %r13
	movabsq $0xdddddddddddddddd, %r14
	movabsq $0xeeeeeeeeeeeeeeee, %r15
1:	incq sysmap_spin_counter(%rip)
	cmpq sysmap_spin_rsp(%rip), %rsp
	jne 2f
	movabsq $0x1111111111111111, %rax
	cmpq %rax, %rbx
	jne 2f
	movabsq $0x2222222222222222, %rax
	cmpq %rax, %rcx
	jne 2f
	movabsq $0x3333333333333333, %rax
	cmpq %rax, %rdx
	jne 2f
	movabsq $0x4444444444444444, %rax
	cmpq %rax, %rsi
	jne 2f
	movabsq $0x5555555555555555, %rax
	cmpq %rax, %rdi
	jne 2f
	movabsq $0x6666666666666666, %rax
	cmpq %rax, %rbp
	jne 2f
	movabsq $0x7777777777777777, %rax
	cmpq %rax, %r8
	jne 2f
	movabsq $0x8888888888888888, %rax
	cmpq %rax, %r9
	jne 2f
	movabsq $0x9999999999999999, %rax
	cmpq %rax, %r10
	jne 2f
	movabsq $0xaaaaaaaaaaaaaaaa, %rax
	cmpq %rax, %r11
	jne 2f
	movabsq $0xbbbbbbbbbbbbbbbb, %rax
	cmpq %rax, %r12
	jne 2f
	movabsq $0xcccccccccccccccc, %rax
	cmpq %rax, %r13
	jne 2f
	movabsq $0xdddddddddddddddd, %rax
	cmpq %rax, %r14
	jne 2f
	movabsq $0xeeeeeeeeeeeeeeee, %rax
	cmpq %rax, %r15
	jne 2f
	jmp 1b
2:	movl $231, %eax
	movl $99, %edi
	syscall
	hlt
	.size sysmap_spin_check, .-sysmap_spin_check
)");

namespace
{

std::string dir;

void write_atomically(const std::string &name, const std::string &text)
{
	std::string path = dir + "/" + name, tmp = path + ".tmp";
	FILE *f = std::fopen(tmp.c_str(), "w");
	if (!f)
		return;
	std::fputs(text.c_str(), f);
	std::fclose(f);
	std::rename(tmp.c_str(), path.c_str());
}

std::int64_t now_ms()
{
	timespec t{};
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

[[noreturn]] void spin(int threads)
{
	std::atomic<std::uint64_t> others{0};
	for (int i = 0; i < threads; i++)
		std::thread([&others] {
			for (;;)
				others.fetch_add(1, std::memory_order_relaxed);
		}).detach();
	std::thread([&others] {
		for (;;) {
			write_atomically("counter", std::to_string(sysmap_spin_counter) + " " +
			                                std::to_string(others.load(std::memory_order_relaxed)) + "\n");
			usleep(50 * 1000);
		}
	}).detach();
	write_atomically("ready", std::to_string(getpid()) + "\n");
	sysmap_spin_check();
}

int read_lines()
{
	write_atomically("ready", std::to_string(getpid()) + "\n");
	char buf[256];
	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf) - 1);
		if (n == 0)
			return 0;
		if (n < 0) {
			write_atomically("got", "error " + std::to_string(errno) + "\n");
			return 1;
		}
		buf[n] = 0;
		write_atomically("got", buf);
	}
}

int sleep_once(long ms)
{
	write_atomically("ready", std::to_string(getpid()) + "\n");
	timespec t{ms / 1000, (ms % 1000) * 1000000};
	std::int64_t start = now_ms();
	int rc = nanosleep(&t, nullptr);
	int e = rc ? errno : 0;
	write_atomically("slept", "rc=" + std::to_string(rc) + " errno=" + std::to_string(e) +
	                              " ms=" + std::to_string(now_ms() - start) + "\n");
	return 0;
}

int trace(pid_t pid)
{
	if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) {
		std::perror("seal_target: PTRACE_SEIZE");
		return 1;
	}
	write_atomically("ready", std::to_string(getpid()) + "\n");
	for (;;)
		pause();
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3) {
		std::fprintf(stderr, "usage: seal_target DIR spin [THREADS] | read | sleep MS | trace PID\n");
		return 2;
	}
	dir = argv[1];
	std::string mode = argv[2];
	if (mode == "spin")
		spin(argc > 3 ? std::atoi(argv[3]) : 0);
	if (mode == "read")
		return read_lines();
	if (mode == "trace" && argc > 3)
		return trace(std::atoi(argv[3]));
	if (mode == "sleep" && argc > 3)
		return sleep_once(std::atol(argv[3]));
	std::fprintf(stderr, "seal_target: unknown mode %s\n", mode.c_str());
	return 2;
}
