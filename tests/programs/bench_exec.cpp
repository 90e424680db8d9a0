// What sealing costs, measured side by side in one boot: the time of
// fork + execve + exit of a small program, in images executed sealed and
// opted out, alternating in rounds; and the number of mappings each image
// has (sealing sets a flag, it must not split or add mappings).
//
//   bench_exec [ROUNDS [SPAWNS]]    (opting out needs CAP_CHECKPOINT_RESTORE)
//   bench_exec --json ...
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "sysmap/json.hpp"
#include "sysmap/policy.hpp"
#include "sysmap/procfs.hpp"

extern char **environ;

namespace
{

std::size_t mapping_count()
{
	std::ifstream f("/proc/self/smaps");
	return sysmap::parse_smaps(f).size();
}

// In a child with the given policy: spawn this program in --exit mode
// SPAWNS times; write the mean nanoseconds per spawn and the spawned
// image's mapping count to fd.
void measure(bool seal, int spawns, int fd)
{
	sysmap::set_policy({seal, false});
	char self[] = "/proc/self/exe", mode[] = "--count";
	char *argv[] = {self, mode, nullptr};
	auto start = std::chrono::steady_clock::now();
	int status = 0;
	for (int i = 0; i < spawns; i++) {
		pid_t pid;
		if (posix_spawn(&pid, self, nullptr, nullptr, argv, environ) || waitpid(pid, &status, 0) != pid)
			_exit(2);
	}
	auto ns =
	    std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
	long long result[2] = {ns / spawns, WEXITSTATUS(status)};
	if (write(fd, result, sizeof(result)) != sizeof(result))
		_exit(2);
	_exit(0);
}

struct Sample {
	long long ns;
	long long mappings;
};

Sample run(bool seal, int spawns)
{
	int p[2];
	if (pipe(p))
		throw std::runtime_error("pipe failed");
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		try {
			measure(seal, spawns, p[1]);
		} catch (const sysmap::PolicyError &e) {
			std::cerr << "bench_exec: " << e.what() << "\n";
			_exit(3);
		}
	}
	close(p[1]);
	long long r[2] = {0, 0};
	bool got = read(p[0], r, sizeof(r)) == sizeof(r);
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	if (!got)
		throw std::runtime_error("a measurement failed (run as root on the sealing kernel)");
	return {r[0], r[1]};
}

long long median(std::vector<long long> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::string> args(argv + 1, argv + argc);
	if (!args.empty() && args[0] == "--count")
		return static_cast<int>(std::min<std::size_t>(mapping_count(), 255));
	bool json = !args.empty() && args[0] == "--json";
	if (json)
		args.erase(args.begin());
	int rounds = 7, spawns = 200;
	try {
		if (args.size() > 0)
			rounds = std::stoi(args[0]);
		if (args.size() > 1)
			spawns = std::stoi(args[1]);
	} catch (const std::exception &) {
		rounds = 0;
	}
	if (rounds < 1 || spawns < 1) {
		std::cerr << "usage: bench_exec [--json] [ROUNDS [SPAWNS]] (both at least 1)\n";
		return 2;
	}
	std::vector<long long> sealed, unsealed;
	long long maps_sealed = 0, maps_unsealed = 0;
	try {
		for (int r = 0; r < rounds; r++) {
			auto s = run(true, spawns), u = run(false, spawns);
			sealed.push_back(s.ns);
			unsealed.push_back(u.ns);
			maps_sealed = s.mappings;
			maps_unsealed = u.mappings;
			if (!json)
				std::cerr << "round " << r + 1 << "/" << rounds << ": sealed " << s.ns / 1000
				          << " us, opted out " << u.ns / 1000 << " us per spawn\n";
		}
	} catch (const std::exception &e) {
		std::cerr << "bench_exec: " << e.what() << "\n";
		return 1;
	}
	double ratio = static_cast<double>(median(sealed)) / static_cast<double>(median(unsealed));
	if (json) {
		sysmap::JsonWriter j;
		j.begin_object().key("rounds").value(rounds).key("spawns").value(spawns);
		j.key("sealed_ns").value(median(sealed)).key("opted_out_ns").value(median(unsealed));
		j.key("time_ratio_permille").value(static_cast<long long>(ratio * 1000.0 + 0.5));
		j.key("mappings_sealed").value(maps_sealed).key("mappings_opted_out").value(maps_unsealed);
		j.end_object();
		std::cout << j.str() << "\n";
		return 0;
	}
	std::cout << std::left << std::setw(34) << "fork+execve+exit (median)" << std::setw(14) << "sealed"
	          << std::setw(14) << "opted out"
	          << "ratio\n";
	std::cout << std::setw(34) << "  time per spawn" << std::setw(14)
	          << std::to_string(median(sealed) / 1000) + " us" << std::setw(14)
	          << std::to_string(median(unsealed) / 1000) + " us" << std::fixed << std::setprecision(3) << ratio
	          << "\n";
	std::cout << std::setw(34) << "  mappings in the new image" << std::setw(14) << maps_sealed << std::setw(14)
	          << maps_unsealed << std::setprecision(3)
	          << static_cast<double>(maps_sealed) / static_cast<double>(maps_unsealed ? maps_unsealed : 1) << "\n";
	return 0;
}
