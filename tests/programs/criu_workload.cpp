// A process tree for checkpoint/restore tests: a counter, a 32 MiB buffer
// with a known checksum, an open file at a known offset, and a child that
// answers over a pipe pair (and is blocked in read() in between). On
// SIGUSR1 it checks all of that and writes DIR/report; DIR/ready holds its
// PID once it is set up. The report also says whether clock_gettime()
// through the vDSO agrees with the system call, and, for the process and
// its child, whether the vDSO is sealed: if the status line says the image
// is sealed, munmap() of the vDSO must fail with EPERM ("vdso=sealed";
// "UNSEALED" if it did not, "skipped" for an unsealed image), and whether
// the vDSO its C library calls is a proxy a CRIU restore left (see
// proxy_state()).
//
//   criu_workload DIR [--thread]   --thread: a second thread counts too
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <string>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "sysmap/procfs.hpp"

namespace
{

constexpr std::size_t kBufSize = 32u << 20;
constexpr off_t kOffset = 12345;
std::atomic<bool> check_requested{false};
std::atomic<std::uint64_t> thread_counter{0};
constexpr std::uint64_t kVdsoProbe = ~std::uint64_t(0) - 16; // asks the child to check its vDSO

// "sealed": the image is sealed and munmap() of its vDSO fails with EPERM;
// "UNSEALED": the image claims to be sealed, but the vDSO could be unmapped
// (this process is then broken); "skipped": the image is not sealed.
const char *vdso_state()
{
	std::ifstream f("/proc/self/status");
	auto st = sysmap::parse_status_line(f);
	auto vdso = sysmap::find_mapping(0, "[vdso]");
	if (!st || !st->image_sealed)
		return "skipped";
	if (!vdso)
		return "NONE";
	if (munmap(reinterpret_cast<void *>(vdso->start), vdso->size()) == 0)
		return "UNSEALED";
	return errno == EPERM ? "sealed" : "ERROR";
}

// After a restore through a vDSO proxy (CRIU_FAULT=127, or a kernel whose
// vDSO differs from the dumped one), the C library calls the dumped vDSO
// at its old address (AT_SYSINFO_EHDR), ordinary memory that jumps into
// the kernel's [vdso]. "none": no proxy; "skipped": the image is not
// sealed; "sealed": mprotect() and mremap() of the proxy fail with EPERM;
// "UNSEALED": one of them succeeded (and was undone).
const char *proxy_state()
{
	auto at = static_cast<std::uint64_t>(getauxval(AT_SYSINFO_EHDR));
	auto vdso = sysmap::find_mapping(0, "[vdso]");
	if (at == 0 || (vdso && vdso->start == at))
		return "none";
	std::ifstream f("/proc/self/status");
	auto st = sysmap::parse_status_line(f);
	if (!st || !st->image_sealed)
		return "skipped";
	std::ifstream smaps("/proc/self/smaps");
	std::uint64_t size = 0;
	for (const auto &m : sysmap::parse_smaps(smaps))
		if (m.start == at)
			size = m.size();
	if (size == 0)
		return "NONE";
	void *proxy = reinterpret_cast<void *>(at);
	if (mprotect(proxy, size, PROT_READ | PROT_WRITE | PROT_EXEC) == 0) {
		mprotect(proxy, size, PROT_READ | PROT_EXEC);
		return "UNSEALED";
	}
	if (errno != EPERM)
		return "ERROR";
	void *spare = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (spare == MAP_FAILED)
		return "ERROR";
	void *moved = mremap(proxy, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, spare);
	int err = errno;
	if (moved != MAP_FAILED) {
		mremap(moved, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, proxy);
		return "UNSEALED";
	}
	munmap(spare, size);
	return err == EPERM ? "sealed" : "ERROR";
}

long long ns(const timespec &t)
{
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// clock_gettime() through the vDSO against the system call: the system
// call's reading lies between two vDSO readings taken around it, and the
// vDSO never goes back from its last reading. No bound on the time between
// them: a guest under emulation may be descheduled anywhere.
bool vdso_clock_ok()
{
	static timespec last{};
	timespec v1{}, k{}, v2{};
	if (!sysmap::find_mapping(0, "[vdso]") || clock_gettime(CLOCK_MONOTONIC, &v1) != 0 ||
	    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &k) != 0 || clock_gettime(CLOCK_MONOTONIC, &v2) != 0)
		return false;
	bool ok = ns(v1) >= ns(last) && ns(v1) <= ns(k) && ns(k) <= ns(v2);
	last = v2;
	return ok;
}

// Wait for the second thread to count at least once more, polling; false
// only if it has not after 60 s (a stopped or dead thread).
bool thread_counts()
{
	const std::uint64_t before = thread_counter;
	timespec start{}, now{};
	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		timespec pause{0, 5 * 1000 * 1000};
		nanosleep(&pause, nullptr);
		if (thread_counter > before)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (ns(now) - ns(start) < 60 * 1000000000LL);
	return false;
}

std::uint64_t checksum(const std::vector<std::uint8_t> &buf)
{
	std::uint64_t h = 1469598103934665603ULL;
	for (auto b : buf)
		h = (h ^ b) * 1099511628211ULL;
	return h;
}

void write_atomically(const std::string &path, const std::string &text)
{
	std::string tmp = path + ".tmp";
	FILE *f = std::fopen(tmp.c_str(), "w");
	if (!f)
		return;
	std::fputs(text.c_str(), f);
	std::fclose(f);
	std::rename(tmp.c_str(), path.c_str());
}

// The child: read a number, answer with the number plus one.
[[noreturn]] void echo_child(int in, int out)
{
	std::uint64_t v;
	while (read(in, &v, sizeof(v)) == sizeof(v)) {
		if (v == kVdsoProbe) {
			std::string st = vdso_state();
			v = st == "sealed" ? 1 : st == "skipped" ? 2 : 3;
		} else {
			v++;
		}
		if (write(out, &v, sizeof(v)) != sizeof(v))
			break;
	}
	_exit(0);
}

std::uint64_t ask(int to, int from, std::uint64_t v)
{
	if (write(to, &v, sizeof(v)) != sizeof(v))
		return 0;
	pollfd p{from, POLLIN, 0};
	std::uint64_t answer = 0;
	// The child answers at once unless it is stopped or gone; 60 s is a
	// deadline for those, not a measure of its speed.
	if (poll(&p, 1, 60000) == 1 && read(from, &answer, sizeof(answer)) == sizeof(answer))
		return answer;
	return 0;
}

bool ask_child(int to, int from, std::uint64_t v)
{
	return ask(to, from, v) == v + 1;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2 && !(argc == 3 && std::string(argv[2]) == "--thread")) {
		std::fprintf(stderr, "usage: criu_workload DIR [--thread]\n");
		return 2;
	}
	const std::string dir = argv[1];
	const bool with_thread = argc == 3;
	std::vector<std::uint8_t> buf(kBufSize);
	for (std::size_t i = 0; i < buf.size(); i++)
		buf[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
	const std::uint64_t sum = checksum(buf);

	int fd = open((dir + "/data").c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
	std::vector<char> junk(1 << 20, 'x');
	if (fd < 0 || write(fd, junk.data(), junk.size()) != static_cast<ssize_t>(junk.size()) ||
	    lseek(fd, kOffset, SEEK_SET) != kOffset) {
		std::perror("data file");
		return 1;
	}
	int to_child[2], from_child[2];
	if (pipe(to_child) || pipe(from_child))
		return 1;
	pid_t child = fork();
	if (child == 0) {
		close(to_child[1]);
		close(from_child[0]);
		echo_child(to_child[0], from_child[1]);
	}
	close(to_child[0]);
	close(from_child[1]);

	struct sigaction sa {
	};
	sa.sa_handler = [](int) { check_requested = true; };
	sigaction(SIGUSR1, &sa, nullptr);
	if (with_thread)
		std::thread([] {
			for (;;) {
				timespec pause{0, 10 * 1000 * 1000};
				nanosleep(&pause, nullptr);
				thread_counter++;
			}
		}).detach();
	write_atomically(dir + "/ready", std::to_string(getpid()) + "\n");

	std::uint64_t counter = 0;
	for (;;) {
		timespec pause{0, 20 * 1000 * 1000};
		nanosleep(&pause, nullptr);
		counter++;
		if (!check_requested.exchange(false))
			continue;
		timespec now{};
		bool clock_ok = clock_gettime(CLOCK_MONOTONIC, &now) == 0;
		bool sum_ok = checksum(buf) == sum;
		bool off_ok = lseek(fd, 0, SEEK_CUR) == kOffset;
		bool child_ok = kill(child, 0) == 0 && waitpid(child, nullptr, WNOHANG) == 0;
		bool pipe_ok = ask_child(to_child[1], from_child[0], counter);
		const char *thread = !with_thread ? "none" : thread_counts() ? "ok" : "BAD";
		bool vclock_ok = vdso_clock_ok();
		std::uint64_t child_vdso = ask(to_child[1], from_child[0], kVdsoProbe);
		const char *proxy = proxy_state();
		const char *vdso = vdso_state(); // last: an unsealed vDSO is gone after it
		char line[448];
		std::snprintf(
		    line, sizeof(line),
		    "counter=%llu checksum=%s offset=%s child=%s pipe=%s clock=%s thread=%s vclock=%s vdso=%s "
		    "child_vdso=%s proxy=%s\n",
		    static_cast<unsigned long long>(counter), sum_ok ? "ok" : "BAD", off_ok ? "ok" : "BAD",
		    child_ok ? "ok" : "BAD", pipe_ok ? "ok" : "BAD", clock_ok ? "ok" : "BAD", thread,
		    vclock_ok ? "ok" : "BAD", vdso,
		    child_vdso == 1   ? "sealed"
		    : child_vdso == 2 ? "skipped"
		                      : "UNSEALED",
		    proxy);
		write_atomically(dir + "/report", line);
	}
}
