// What sealing at execve() costs, measured side by side ("make bench";
// scripts/bench.sh boots the kernels, tests/guest/bench.sh runs this).
//
//   bench_exec run --root DIR [--rounds R] [--spawns S] --out FILE
//       In each of R rounds, measure every cell once, in a random order:
//       a cell is a workload run S times under a policy. Workloads:
//         static    fork+execve+exit of DIR/bench_exit_static
//         dynamic   the same of DIR/bench_exit_dynamic (ld.so and libc
//                   inside DIR, which the measuring child chroots into)
//         exec      execve() alone: DIR/bench_exit_static --chain S
//         ia32      fork+execve+exit of DIR/bench_exit_ia32
//         selfseal  DIR/bench_exit_static --self-seal: the program seals
//                   its own [vdso] and [vvar] with mseal()
//       Policies: seal and unseal on the sealing kernel, none on a kernel
//       without the feature. FILE gets one line per measurement:
//       "WORKLOAD POLICY ROUND NANOSECONDS-PER-EXECUTION EXECUTIONS".
//       Each measurement is framed by two markers for the instruction
//       counter of tests/programs/icount_plugin.cpp (no-ops without it).
//   bench_exec maps --root DIR
//       Prints how many mappings a sealed and an opted-out image have.
//   bench_exec report [--json] SEALING-FILE [BASELINE-FILE]
//                     [--icount SEALING-FILE SEALING-COUNTS
//                               [BASELINE-FILE BASELINE-COUNTS
//                                [AGAIN-FILE AGAIN-COUNTS]]]
//       The table: each ratio with a 95 % bootstrap interval, of the time
//       per execution and, given the plugin's counts (two lines per
//       measurement, in the order of the FILE they follow: the runs of the
//       boots whose clock followed the instruction count), of the
//       instructions. AGAIN is a second such boot of the baseline kernel:
//       its ratio to the first is how far two boots of one kernel differ,
//       the floor under any comparison of two kernels.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "sysmap/policy.hpp"

extern char **environ;

namespace
{

struct Cell {
	std::string workload, policy;
};

using Samples = std::map<std::string, std::vector<double>>; // "workload policy" -> ns

// Spawn PATH with ARGS, wait for it; false if it did not exit 0.
bool spawn_wait(const std::string &path, std::vector<std::string> args)
{
	std::vector<char *> argv;
	for (auto &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	pid_t pid;
	int status = 0;
	if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), environ) || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The marker tests/programs/icount_plugin.cpp looks for: the plugin writes
// the guest's instruction count each time it executes. A no-op otherwise.
inline void icount_marker()
{
#if defined(__x86_64__)
	asm volatile("xchg %%rbx, %%rbx" ::: "memory");
#endif
}

// In a child: chroot into ROOT, set the policy, run the workload SPAWNS
// times; the mean nanoseconds per execution go to fd, or -1 on failure.
[[noreturn]] void measure_child(const std::string &root, const Cell &cell, int spawns, bool mark, int fd)
{
	double ns = -1;
	try {
		if (chroot(root.c_str()) || chdir("/"))
			throw std::runtime_error("chroot " + root + ": " + std::strerror(errno));
		if (cell.policy != "none")
			sysmap::set_policy({cell.policy == "seal", false});
		std::string path = "/bench_exit_static";
		std::vector<std::string> args{path};
		int runs = spawns;
		if (cell.workload == "dynamic")
			path = args[0] = "/bench_exit_dynamic";
		else if (cell.workload == "ia32")
			path = args[0] = "/bench_exit_ia32";
		else if (cell.workload == "selfseal")
			args.push_back("--self-seal");
		else if (cell.workload == "exec") {
			args.push_back("--chain");
			args.push_back(std::to_string(spawns));
			runs = 1;
		}
		if (mark)
			icount_marker();
		const auto start = std::chrono::steady_clock::now();
		bool ok = true;
		for (int i = 0; i < runs && ok; i++)
			ok = spawn_wait(path, args);
		const auto end = std::chrono::steady_clock::now();
		if (mark)
			icount_marker();
		if (ok)
			ns = std::chrono::duration<double, std::nano>(end - start).count() / spawns;
	} catch (const std::exception &e) {
		std::cerr << "bench_exec: " << cell.workload << "/" << cell.policy << ": " << e.what() << "\n";
	}
	if (write(fd, &ns, sizeof(ns)) != sizeof(ns))
		_exit(2);
	_exit(ns < 0 ? 1 : 0);
}

// MARK: frame the measurement with the instruction counter's markers.
double measure(const std::string &root, const Cell &cell, int spawns, bool mark = true)
{
	int p[2];
	if (pipe(p))
		throw std::runtime_error("pipe failed");
	const pid_t pid = fork();
	if (pid < 0)
		throw std::runtime_error("fork failed");
	if (pid == 0) {
		close(p[0]);
		measure_child(root, cell, spawns, mark, p[1]);
	}
	close(p[1]);
	double ns = -1;
	if (read(p[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = -1;
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	if (ns < 0)
		throw std::runtime_error("measuring " + cell.workload + " under policy " + cell.policy +
		                         " failed (root on the test kernel, and " + root +
		                         " prepared by "
		                         "tests/guest/bench.sh?)");
	return ns;
}

bool kernel_has_feature()
{
	std::ifstream f("/proc/self/status");
	for (std::string line; std::getline(f, line);)
		if (line.rfind("Mseal_sysmap:", 0) == 0)
			return true;
	return false;
}

int run(const std::string &root, int rounds, int spawns, const std::string &out)
{
	std::vector<std::string> policies{"none"};
	if (kernel_has_feature())
		policies = {"seal", "unseal"};
	std::vector<Cell> cells;
	for (const char *w : {"static", "dynamic", "exec", "ia32"})
		for (const auto &p : policies)
			cells.push_back({w, p});
	// A program sealing itself makes sense only where the kernel did not.
	cells.push_back({"selfseal", policies.back()});
	std::ofstream f(out);
	if (!f)
		throw std::runtime_error("cannot write " + out);
	std::mt19937_64 rng(20261129);
	// A warm-up pass, not recorded: the first executions of each program
	// fill caches the later rounds find full.
	for (const auto &c : cells)
		measure(root, c, spawns, false);
	for (int r = 0; r < rounds; r++) {
		std::shuffle(cells.begin(), cells.end(), rng);
		for (const auto &c : cells)
			f << c.workload << " " << c.policy << " " << r << " " << std::fixed << std::setprecision(0)
			  << measure(root, c, spawns) << " " << spawns << "\n";
		f.flush();
		std::cerr << "round " << r + 1 << "/" << rounds << " done\n";
	}
	return 0;
}

// The number of mappings of an image under each policy: sealing sets a
// flag, it must not split or add mappings.
int maps(const std::string &root)
{
	for (const char *policy : {"seal", "unseal"}) {
		const pid_t pid = fork();
		if (pid == 0) {
			if (chroot(root.c_str()) || chdir("/"))
				_exit(255);
			try {
				sysmap::set_policy({std::strcmp(policy, "seal") == 0, false});
			} catch (const std::exception &) {
				_exit(254);
			}
			execl("/bench_exit_static", "bench_exit_static", "--maps", static_cast<char *>(nullptr));
			_exit(253);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		std::cout << "mappings " << policy << " " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << "\n";
	}
	return 0;
}

// The measurements of a "run" FILE, in order.
struct Measurement {
	std::string key; // "workload policy"
	double ns;
	int executions;
};

std::vector<Measurement> load_measurements(const std::string &path)
{
	std::ifstream f(path);
	if (!f)
		throw std::runtime_error("cannot read " + path);
	std::vector<Measurement> m;
	for (std::string line; std::getline(f, line);) {
		std::istringstream in(line);
		std::string w, p;
		int round, executions = 1;
		double ns;
		if (!(in >> w >> p >> round >> ns))
			continue;
		in >> executions;
		m.push_back({w + " " + p, ns, executions});
	}
	return m;
}

Samples load(const std::string &path)
{
	Samples s;
	for (const auto &m : load_measurements(path))
		s[m.key].push_back(m.ns);
	return s;
}

// Instructions per execution of each measurement of PATH, from the
// plugin's COUNTS: the counts at the two markers around each measurement.
Samples load_icount(const std::string &path, const std::string &counts)
{
	const auto ms = load_measurements(path);
	std::ifstream f(counts);
	if (!f)
		throw std::runtime_error("cannot read " + counts);
	std::vector<double> c;
	for (unsigned long long v; f >> v;)
		c.push_back(static_cast<double>(v));
	if (c.size() != 2 * ms.size())
		throw std::runtime_error(counts + " has " + std::to_string(c.size()) + " counts for " +
		                         std::to_string(ms.size()) + " measurements in " + path +
		                         ": was the guest run with the plugin from its start?");
	Samples s;
	for (std::size_t i = 0; i < ms.size(); i++)
		s[ms[i].key].push_back((c[2 * i + 1] - c[2 * i]) / ms[i].executions);
	return s;
}

double mean(const std::vector<double> &v)
{
	double sum = 0;
	for (double x : v)
		sum += x;
	return v.empty() ? NAN : sum / static_cast<double>(v.size());
}

struct Ratio {
	double value, low, high;
	std::size_t n_num, n_den;
	double num_ns, den_ns;
};

// Ratio of means with a 95 % percentile bootstrap interval. Paired: both
// cells come from the same rounds of one boot, so rounds are resampled
// together; otherwise each side is resampled on its own.
Ratio ratio(const std::vector<double> &num, const std::vector<double> &den, bool paired)
{
	Ratio r{mean(num) / mean(den), NAN, NAN, num.size(), den.size(), mean(num), mean(den)};
	if (num.empty() || den.empty() || (paired && num.size() != den.size()))
		return r;
	std::mt19937_64 rng(42);
	std::vector<double> boot;
	constexpr int resamples = 10000;
	boot.reserve(resamples);
	std::uniform_int_distribution<std::size_t> pick_n(0, num.size() - 1), pick_d(0, den.size() - 1);
	for (int b = 0; b < resamples; b++) {
		double sn = 0, sd = 0;
		if (paired) {
			for (std::size_t i = 0; i < num.size(); i++) {
				const std::size_t k = pick_n(rng);
				sn += num[k];
				sd += den[k];
			}
		} else {
			for (std::size_t i = 0; i < num.size(); i++)
				sn += num[pick_n(rng)];
			for (std::size_t i = 0; i < den.size(); i++)
				sd += den[pick_d(rng)];
			sn /= static_cast<double>(num.size());
			sd /= static_cast<double>(den.size());
		}
		boot.push_back(sn / sd);
	}
	std::sort(boot.begin(), boot.end());
	r.low = boot[static_cast<std::size_t>(0.025 * resamples)];
	r.high = boot[static_cast<std::size_t>(0.975 * resamples) - 1];
	return r;
}

// "no difference larger than X %" when the interval holds 1.
std::string verdict(const Ratio &r)
{
	if (std::isnan(r.low))
		return "not measured";
	std::ostringstream o;
	o << std::fixed << std::setprecision(1);
	if (r.low <= 1.0 && r.high >= 1.0)
		o << "no difference larger than " << 100.0 * std::max(1.0 - r.low, r.high - 1.0) << " %";
	else if (r.low > 1.0)
		o << "slower by " << 100.0 * (r.low - 1.0) << " to " << 100.0 * (r.high - 1.0) << " %";
	else
		o << "faster by " << 100.0 * (1.0 - r.high) << " to " << 100.0 * (1.0 - r.low) << " %";
	return o.str();
}

struct Row {
	std::string name;
	bool instructions; // else time
	Ratio r;
};

constexpr std::array<std::pair<const char *, const char *>, 4> workloads{{
    {"static", "fork+execve+exit, static"},
    {"dynamic", "fork+execve+exit, dynamic"},
    {"exec", "execve() alone, static"},
    {"ia32", "fork+execve+exit, ia32 static"},
}};

std::vector<double> sample(const Samples &m, const std::string &key)
{
	auto it = m.find(key);
	return it == m.end() ? std::vector<double>{} : it->second;
}

// The ratios of one measure (times or instruction counts) of each workload.
void add_rows(std::vector<Row> &rows, const Samples &s, const Samples &b, bool instructions)
{
	const std::string unit = instructions ? ", instructions" : "";
	for (const auto &[w, label] : workloads) {
		rows.push_back(
		    {std::string(label) + unit + ": sealed / opted out", instructions,
		     ratio(sample(s, std::string(w) + " seal"), sample(s, std::string(w) + " unseal"), true)});
		if (!b.empty())
			rows.push_back(
			    {std::string(label) + unit + ": sealed / baseline kernel", instructions,
			     ratio(sample(s, std::string(w) + " seal"), sample(b, std::string(w) + " none"), false)});
	}
	rows.push_back({"self-sealing at start-up / kernel sealing at execve()" + unit, instructions,
	                ratio(sample(s, "selfseal unseal"), sample(s, "static seal"), true)});
}

// The control: two boots of the baseline kernel, each workload's
// instructions in the second against the first. A difference between two
// kernels smaller than this is one the boots cannot tell apart.
void add_control_rows(std::vector<Row> &rows, const Samples &first, const Samples &again)
{
	for (const auto &[w, label] : workloads) {
		const std::string key = std::string(w) + " none";
		rows.push_back({std::string(label) + ", instructions: baseline kernel, second boot / first boot", true,
		                ratio(sample(again, key), sample(first, key), false)});
	}
}

std::string amount(const Row &row, double v)
{
	std::ostringstream o;
	o << std::fixed;
	if (row.instructions)
		o << std::setprecision(0) << v;
	else
		o << std::setprecision(1) << v / 1000.0 << " us";
	return o.str();
}

// FILES: the sealing and baseline kernels' measurements of time; COUNTS:
// pairs of a run's measurements and the plugin's counts for it (sealing
// kernel, then baseline kernel), or nothing.
int report(bool json, const std::vector<std::string> &files, const std::vector<std::string> &counts)
{
	const Samples s = load(files[0]);
	Samples b;
	if (files.size() > 1)
		b = load(files[1]);
	std::vector<Row> rows;
	add_rows(rows, s, b, false);
	if (!counts.empty()) {
		const Samples first = counts.size() > 2 ? load_icount(counts[2], counts[3]) : Samples{};
		add_rows(rows, load_icount(counts[0], counts[1]), first, true);
		if (counts.size() > 4)
			add_control_rows(rows, first, load_icount(counts[4], counts[5]));
	}
	const auto it = s.find("static seal");
	const std::size_t rounds = it == s.end() ? 0 : it->second.size();
	if (json) {
		std::cout << "{\"schema\": 2, \"rounds\": " << rounds << ", \"figures\": [";
		for (std::size_t i = 0; i < rows.size(); i++) {
			const auto &r = rows[i].r;
			std::cout << (i ? ", " : "") << std::fixed << std::setprecision(4) << "{\"figure\": \""
			          << rows[i].name << "\", \"measure\": \""
			          << (rows[i].instructions ? "instructions" : "ns") << "\", \"ratio\": " << r.value
			          << ", \"low\": " << r.low << ", \"high\": " << r.high
			          << ", \"numerator\": " << std::setprecision(0) << r.num_ns
			          << ", \"denominator\": " << r.den_ns << "}";
		}
		std::cout << "]}\n";
		return 0;
	}
	std::cout << "| figure | ratio | 95 % interval | numerator | denominator | verdict |\n"
	          << "|---|---|---|---|---|---|\n";
	for (const auto &row : rows)
		std::cout << "| " << row.name << " | " << std::fixed << std::setprecision(4) << row.r.value << " | "
		          << row.r.low << " - " << row.r.high << " | " << amount(row, row.r.num_ns) << " | "
		          << amount(row, row.r.den_ns) << " | " << verdict(row.r) << " |\n";
	std::cout << "\nMethod: " << rounds
	          << " rounds; in each, every cell (workload x policy) runs once, in a random "
	             "order, timing N executions; ratio of the mean time per execution; 95 % "
	             "percentile bootstrap interval over 10000 resamples of the rounds (paired "
	             "within a boot, independent across the two boots for the baseline kernel).\n";
	if (!counts.empty())
		std::cout << "Instructions: counted by QEMU (tests/programs/icount_plugin.cpp) between "
		             "two markers around each cell, everything the vCPU executed (kernel, "
		             "user space, interrupts), per execution, in boots of their own whose "
		             "guest clock follows the instructions executed (QEMU's -icount), so that "
		             "both kernels take their timer interrupts at the same rate per "
		             "instruction however fast the host ran each boot; same method.\n";
	if (counts.size() > 4)
		std::cout << "Control: a second such boot of the baseline kernel against the first; "
		             "a difference between the two kernels inside its range is one that two "
		             "boots of the same kernel also show.\n";
	return 0;
}

int usage()
{
	std::cerr << "usage: bench_exec run --root DIR [--rounds R] [--spawns S] --out FILE\n"
	             "       bench_exec maps --root DIR\n"
	             "       bench_exec report [--json] SEALING-FILE [BASELINE-FILE]\n"
	             "                         [--icount SEALING-FILE SEALING-COUNTS\n"
	             "                                   [BASELINE-FILE BASELINE-COUNTS\n"
	             "                                    [AGAIN-FILE AGAIN-COUNTS]]]\n";
	return 2;
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<std::string> args(argv + 1, argv + argc);
	if (args.empty())
		return usage();
	const std::string cmd = args[0];
	args.erase(args.begin());
	try {
		if (cmd == "report") {
			bool json = !args.empty() && args[0] == "--json";
			if (json)
				args.erase(args.begin());
			std::vector<std::string> counts;
			const auto at = std::find(args.begin(), args.end(), "--icount");
			if (at != args.end()) {
				counts.assign(at + 1, args.end());
				args.erase(at, args.end());
				if ((counts.size() != 2 && counts.size() != 4 && counts.size() != 6) ||
				    std::min<std::size_t>(counts.size() / 2, 2) > args.size())
					return usage();
			}
			if (args.empty() || args.size() > 2)
				return usage();
			return report(json, args, counts);
		}
		std::string root, out;
		int rounds = 30, spawns = 50;
		for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
			if (args[i] == "--root")
				root = args[i + 1];
			else if (args[i] == "--out")
				out = args[i + 1];
			else if (args[i] == "--rounds")
				rounds = std::stoi(args[i + 1]);
			else if (args[i] == "--spawns")
				spawns = std::stoi(args[i + 1]);
			else
				return usage();
		}
		if (args.size() % 2 || root.empty() || rounds < 1 || spawns < 1)
			return usage();
		if (cmd == "maps")
			return maps(root);
		if (cmd == "run" && !out.empty())
			return run(root, rounds, spawns, out);
		return usage();
	} catch (const std::exception &e) {
		std::cerr << "bench_exec: " << e.what() << "\n";
		return 1;
	}
}
