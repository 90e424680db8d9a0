// The workload of the compatibility suite (tests/guest/compat.sh): small
// enough to build for every target the suite runs (x86_64, aarch64 and
// armhf Linux, Windows through Wine), and checking its own answer.
//
//   compat_hello               reads the clocks and prints
//                              "compat-hello answer=42 clocks=ok"
//   compat_hello --fork-exec   also forks a child that executes
//                              /bin/echo compat-child-exec, and prints
//                              "compat-parent child-status=0"
//   compat_hello --init        as the init process of a User Mode Linux
//                              kernel: prints "compat-init uname=..."
//                              and powers the machine off (the mode of
//                              a compat_hello that runs as PID 1)
//
// On Linux the clocks are read through clock_gettime() and gettimeofday(),
// which the C library answers from the vDSO; elsewhere through <chrono>.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#ifdef __linux__
#include <sys/reboot.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#endif

namespace
{

// Whether the clocks answer sensibly: after 2020, and monotonic.
bool clocks_ok()
{
	constexpr long long year_2020 = 1577836800;
#ifdef __linux__
	timespec mono1{}, mono2{}, real{};
	timeval tv{};
	if (clock_gettime(CLOCK_MONOTONIC, &mono1) || clock_gettime(CLOCK_REALTIME, &real) ||
	    gettimeofday(&tv, nullptr) || clock_gettime(CLOCK_MONOTONIC, &mono2))
		return false;
	if (real.tv_sec < year_2020 || tv.tv_sec < year_2020)
		return false;
	if (mono2.tv_sec < mono1.tv_sec || (mono2.tv_sec == mono1.tv_sec && mono2.tv_nsec < mono1.tv_nsec))
		return false;
#endif
	const auto s1 = std::chrono::steady_clock::now();
	const auto now = std::chrono::system_clock::now().time_since_epoch();
	const auto s2 = std::chrono::steady_clock::now();
	return std::chrono::duration_cast<std::chrono::seconds>(now).count() >= year_2020 && s2 >= s1;
}

int hello()
{
	// A heap allocation, for memory checkers to follow.
	auto answer = std::make_unique<int>(6 * 7);
	const bool ok = clocks_ok();
	std::printf("compat-hello answer=%d clocks=%s\n", *answer, ok ? "ok" : "wrong");
	return ok ? 0 : 1;
}

#ifdef __linux__
int fork_exec()
{
	std::fflush(stdout);
	const pid_t pid = fork();
	if (pid < 0) {
		std::perror("compat_hello: fork");
		return 1;
	}
	if (pid == 0) {
		execl("/bin/echo", "echo", "compat-child-exec", static_cast<char *>(nullptr));
		_exit(127);
	}
	int status = 0;
	if (waitpid(pid, &status, 0) != pid) {
		std::perror("compat_hello: waitpid");
		return 1;
	}
	const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	std::printf("compat-parent child-status=%d\n", code);
	return code;
}

[[noreturn]] void init()
{
	utsname u{};
	uname(&u);
	const int rc = hello();
	std::printf("compat-init uname=%s/%s hello=%d\n", u.sysname, u.machine, rc);
	std::fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
#endif

} // namespace

int main(int argc, char **argv)
{
	const std::string mode = argc > 1 ? argv[1] : "";
#ifdef __linux__
	if (getpid() == 1)
		init();
#endif
	if (mode.empty())
		return hello();
#ifdef __linux__
	if (mode == "--fork-exec") {
		const int rc = hello();
		return rc ? rc : fork_exec();
	}
	if (mode == "--init")
		init();
#endif
	std::fprintf(stderr, "usage: compat_hello [--fork-exec | --init]\n");
	return 2;
}
