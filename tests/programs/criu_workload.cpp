// A process tree for checkpoint/restore tests: a counter, a 32 MiB buffer
// with a known checksum, an open file at a known offset, and a child that
// answers over a pipe pair. On SIGUSR1 it checks all of that and writes
// DIR/report; DIR/ready holds its PID once it is set up.
//
//   criu_workload DIR
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace
{

constexpr std::size_t kBufSize = 32u << 20;
constexpr off_t kOffset = 12345;
std::atomic<bool> check_requested{false};

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
		v++;
		if (write(out, &v, sizeof(v)) != sizeof(v))
			break;
	}
	_exit(0);
}

bool ask_child(int to, int from, std::uint64_t v)
{
	if (write(to, &v, sizeof(v)) != sizeof(v))
		return false;
	pollfd p{from, POLLIN, 0};
	std::uint64_t answer = 0;
	return poll(&p, 1, 5000) == 1 && read(from, &answer, sizeof(answer)) == sizeof(answer) && answer == v + 1;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: criu_workload DIR\n");
		return 2;
	}
	const std::string dir = argv[1];
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
		char line[256];
		std::snprintf(line, sizeof(line), "counter=%llu checksum=%s offset=%s child=%s pipe=%s clock=%s\n",
		              static_cast<unsigned long long>(counter), sum_ok ? "ok" : "BAD", off_ok ? "ok" : "BAD",
		              child_ok ? "ok" : "BAD", pipe_ok ? "ok" : "BAD", clock_ok ? "ok" : "BAD");
		write_atomically(dir + "/report", line);
	}
}
