// The program "make bench" starts over and over (tests/programs/bench_exec.cpp):
// built dynamic, static and static ia32 by scripts/build-bench.sh.
//
//   bench_exit                exits 0 at once
//   bench_exit --self-seal    seals its own [vdso] and [vvar] with mseal()
//                             first, found in /proc/self/maps, as a program
//                             would have to without the kernel's help;
//                             exits 0, or 1 if a call failed
//   bench_exit --chain N      executes itself again N times (execve() alone,
//                             no fork), then exits 0
//   bench_exit --maps         exits with the number of its mappings
//   bench_exit --idle N       forks N children that wait for a signal,
//                             prints "ready" once they exist, and waits
//                             as well (the processes of the scale bench)
//
// It uses no iostreams: what is measured is execve(), not the C++ runtime.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_mseal
#define SYS_mseal 462 // the same number on x86_64, i386 and arm64
#endif

namespace
{

// Read /proc/self/maps into buf (NUL-terminated); its length, or -1.
long read_maps(char *buf, std::size_t size)
{
	const int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	std::size_t len = 0;
	for (;;) {
		const ssize_t got = read(fd, buf + len, size - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += static_cast<std::size_t>(got);
	}
	close(fd);
	buf[len] = '\0';
	return static_cast<long>(len);
}

int count_maps()
{
	char buf[16384];
	if (read_maps(buf, sizeof(buf)) < 0)
		return 255;
	int lines = 0;
	for (const char *c = buf; *c; c++)
		lines += *c == '\n';
	return lines;
}

// Seal each mapping of /proc/self/maps whose name is [vdso] or [vvar].
int self_seal()
{
	char buf[16384];
	if (read_maps(buf, sizeof(buf)) < 0)
		return 1;
	int sealed = 0;
	for (char *line = buf; line && *line;) {
		char *next = std::strchr(line, '\n');
		if (next)
			*next++ = '\0';
		const std::size_t n = std::strlen(line);
		if (n > 6 && (!std::strcmp(line + n - 6, "[vdso]") || !std::strcmp(line + n - 6, "[vvar]"))) {
			unsigned long start = 0, end = 0;
			if (std::sscanf(line, "%lx-%lx", &start, &end) != 2 ||
			    syscall(SYS_mseal, start, end - start, 0UL) != 0)
				return 1;
			sealed++;
		}
		line = next;
	}
	return sealed == 2 ? 0 : 1;
}

// The processes "sysmapctl audit" and "seal --tree" are measured against.
int idle(long n)
{
	for (long i = 0; i < n; i++) {
		const pid_t pid = fork();
		if (pid < 0) {
			std::perror("bench_exit: fork");
			return 1;
		}
		if (pid == 0) {
			for (;;)
				pause();
		}
	}
	std::puts("ready");
	std::fflush(stdout);
	for (;;)
		pause();
}

} // namespace

int main(int argc, char **argv)
{
	if (argc == 2 && !std::strcmp(argv[1], "--self-seal"))
		return self_seal();
	if (argc == 2 && !std::strcmp(argv[1], "--maps"))
		return count_maps();
	if (argc == 3 && !std::strcmp(argv[1], "--idle"))
		return idle(std::strtol(argv[2], nullptr, 10));
	if (argc == 3 && !std::strcmp(argv[1], "--chain")) {
		const long left = std::strtol(argv[2], nullptr, 10);
		if (left <= 0)
			return 0;
		char next[24];
		std::snprintf(next, sizeof(next), "%ld", left - 1);
		char *const args[] = {argv[0], argv[1], next, nullptr};
		execv("/proc/self/exe", args);
		return 127;
	}
	return argc == 1 ? 0 : 2;
}
