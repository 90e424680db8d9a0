// sysmapctl itself, run as a program: exit statuses, what goes to stdout
// and what to stderr. Tests that need a kernel with the feature preload a
// stand-in for its prctl() (fake_prctl.c). SYSMAP_TEST_SYSMAPCTL runs them
// against another sysmapctl binary.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "sysmap/policy.hpp"
#include "temp_dir.hpp"

extern char **environ;

namespace
{

struct Result {
	int status = -1; // exit status, or 128 + signal
	std::string out, err;
};

std::string sysmapctl()
{
	const char *env = std::getenv("SYSMAP_TEST_SYSMAPCTL");
	return env ? env : SYSMAPCTL_PATH;
}

// Run sysmapctl with `args` and the environment plus `env`; stdout to
// `stdout_path` if given.
Result run(const std::vector<std::string> &args, const std::map<std::string, std::string> &env = {},
           const std::string &stdout_path = "", const std::vector<std::string> &prefix = {})
{
	std::vector<std::string> envs;
	for (char **e = environ; *e; e++) {
		std::string s = *e;
		if (!env.count(s.substr(0, s.find('='))))
			envs.push_back(s);
	}
	for (const auto &[k, v] : env)
		envs.push_back(k + "=" + v);
	// prefix: a program that runs sysmapctl (its path then comes from
	// the last element of prefix), e.g. setpriv.
	std::vector<std::string> argv_s = prefix;
	if (argv_s.empty())
		argv_s.push_back(sysmapctl());
	argv_s.insert(argv_s.end(), args.begin(), args.end());
	std::vector<char *> argv, envp;
	for (auto &s : argv_s)
		argv.push_back(s.data());
	argv.push_back(nullptr);
	for (auto &s : envs)
		envp.push_back(s.data());
	envp.push_back(nullptr);

	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		throw std::runtime_error("pipe failed");
	pid_t pid = fork();
	if (pid == 0) {
		int o = stdout_path.empty() ? out[1] : open(stdout_path.c_str(), O_WRONLY);
		dup2(o, 1);
		dup2(err[1], 2);
		execve(argv[0], argv.data(), envp.data());
		_exit(99);
	}
	close(out[1]);
	close(err[1]);
	Result r;
	pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	std::string *dst[2] = {&r.out, &r.err};
	int open_fds = 2;
	// A sysmapctl that hangs is killed and fails its test, rather than
	// hanging the run: a deadline far beyond any answer, however slow
	// the machine.
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
	auto left_ms = [&] {
		auto left =
		    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
		return static_cast<int>(std::max<long long>(0, left.count()));
	};
	while (open_fds > 0 && poll(fds, 2, left_ms()) > 0) {
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			char buf[4096];
			ssize_t n = read(fds[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			} else {
				dst[i]->append(buf, static_cast<std::size_t>(n));
			}
		}
	}
	for (auto &f : fds)
		if (f.fd >= 0)
			close(f.fd);
	if (open_fds > 0) {
		kill(pid, SIGKILL);
		r.err += "\n(test: sysmapctl killed after 120 s without finishing its output)";
	}
	int status = 0;
	waitpid(pid, &status, 0);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return r;
}

bool has(const std::string &haystack, const std::string &needle)
{
	return haystack.find(needle) != std::string::npos;
}

#ifdef SYSMAP_FAKE_PRCTL
// The environment of a kernel with the feature, with these flags.
std::map<std::string, std::string> kernel(const std::string &flags, const std::string &log = "")
{
	std::map<std::string, std::string> env = {{"LD_PRELOAD", SYSMAP_FAKE_PRCTL}, {"SYSMAP_FAKE_FLAGS", flags}};
	if (!log.empty())
		env["SYSMAP_FAKE_LOG"] = log;
	return env;
}
const std::map<std::string, std::string> kNoFeature = {{"LD_PRELOAD", SYSMAP_FAKE_PRCTL}};
#define NEED_FAKE_KERNEL()
#define NEED_KERNEL_WITHOUT_FEATURE()
#else
std::map<std::string, std::string> kernel(const std::string &, const std::string & = "")
{
	return {};
}
const std::map<std::string, std::string> kNoFeature;
#define NEED_FAKE_KERNEL() GTEST_SKIP() << "a static sysmapctl cannot preload the stand-in prctl()"
#define NEED_KERNEL_WITHOUT_FEATURE()                                                                                  \
	if (sysmap::kernel_supports_sealing())                                                                         \
	GTEST_SKIP() << "this kernel seals, and a static sysmapctl cannot preload the stand-in prctl()"
#endif

std::string slurp(const std::string &path)
{
	std::ifstream f(path);
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

class LogFile
{
public:
	LogFile() : path_(testing::TempDir() + "/fake-prctl-" + std::to_string(getpid()) + ".log")
	{
		std::filesystem::remove(path_);
	}
	~LogFile() { std::filesystem::remove(path_); }
	const std::string &path() const { return path_; }
	std::string text() const { return slurp(path_); }

private:
	std::string path_;
};

} // namespace

// Bug 1: under a policy locked to seal, "exec --seal" asked the kernel for a
// change, which a locked policy refuses (EPERM).
TEST(Tool, ExecSealUnderALockThatSealsNeedsNoPrctl)
{
	NEED_FAKE_KERNEL();
	for (const char *flags : {"7", "3"}) { // SEAL|LOCK (|IMAGE)
		for (std::vector<std::string> args : {std::vector<std::string>{"exec", "--seal", "--", "true"},
		                                      {"exec", "--seal", "--lock", "--", "true"}}) {
			LogFile log;
			auto r = run(args, kernel(flags, log.path()));
			EXPECT_EQ(0, r.status) << args[1] << " " << r.err;
			EXPECT_EQ("", r.err);
			EXPECT_EQ("", log.text()) << "no prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SET) call";
		}
	}
}

TEST(Tool, ExecAsksTheKernelOnlyForAChange)
{
	NEED_FAKE_KERNEL();
	{
		// Opted out already: no capability needed to stay so.
		LogFile log;
		auto r = run({"exec", "--unseal", "--", "true"}, kernel("0", log.path()));
		EXPECT_EQ(0, r.status) << r.err;
		EXPECT_EQ("", log.text());
	}
	{
		LogFile log;
		auto r = run({"exec", "--seal", "--lock", "--", "true"}, kernel("5", log.path()));
		EXPECT_EQ(0, r.status) << r.err;
		EXPECT_EQ("SET 3 ok\n", log.text());
	}
	{
		LogFile log;
		auto env = kernel("5", log.path());
		env["SYSMAP_FAKE_CAP"] = "1";
		auto r = run({"exec", "--unseal", "--", "true"}, env);
		EXPECT_EQ(0, r.status) << r.err;
		EXPECT_EQ("SET 0 ok\n", log.text());
	}
}

// Bug 5: exec's own failures collided with the program's exit statuses.
TEST(Tool, ExecFailuresAre125)
{
	NEED_KERNEL_WITHOUT_FEATURE();
	// A kernel that cannot honour --seal.
	auto r = run({"exec", "--seal", "--", "true"}, kNoFeature);
	EXPECT_EQ(125, r.status) << r.err;
	EXPECT_TRUE(has(r.err, "sysmapctl: failed to turn sealing on")) << r.err;
	// A usage error of exec.
	r = run({"exec", "--bogus", "--", "true"});
	EXPECT_EQ(125, r.status);
	EXPECT_TRUE(has(r.err, "Try 'sysmapctl exec --help' for more information.")) << r.err;
	r = run({"exec"});
	EXPECT_EQ(125, r.status);
}

TEST(Tool, ExecRefusedOptOutIs125AndSaysWhatToDo)
{
	NEED_FAKE_KERNEL();
	auto r = run({"exec", "--unseal", "--", "true"}, kernel("5"));
	EXPECT_EQ(125, r.status);
	EXPECT_TRUE(has(r.err, "CAP_CHECKPOINT_RESTORE")) << r.err;
	EXPECT_TRUE(has(r.err, "setcap")) << r.err;
	r = run({"exec", "--unseal", "--", "true"}, kernel("7"));
	EXPECT_EQ(125, r.status);
	EXPECT_TRUE(has(r.err, "locked")) << r.err;
	// Even with the capability: nobody may opt out at level 2.
	auto env = kernel("5");
	env["SYSMAP_FAKE_OPTOUT"] = "2";
	env["SYSMAP_FAKE_CAP"] = "1";
	r = run({"exec", "--unseal", "--", "true"}, env);
	EXPECT_EQ(125, r.status);
}

TEST(Tool, ExecProgramStatuses)
{
	EXPECT_EQ(7, run({"exec", "--", "sh", "-c", "exit 7"}).status);
	EXPECT_EQ(125, run({"exec", "--", "sh", "-c", "exit 125"}).status); // the program's own 125
	auto r = run({"exec", "--", "/nonexistent/program"});
	EXPECT_EQ(127, r.status);
	EXPECT_TRUE(has(r.err, "sysmapctl: failed to execute /nonexistent/program")) << r.err;
	TempDir dir("exec");
	std::string plain = dir / "not-executable";
	std::ofstream(plain) << "data\n";
	std::filesystem::permissions(plain, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
	EXPECT_EQ(126, run({"exec", "--", plain}).status);
}

TEST(Tool, ExecUnsealWithoutTheFeatureRunsTheProgram)
{
	NEED_KERNEL_WITHOUT_FEATURE();
	auto r = run({"exec", "--unseal", "--", "sh", "-c", "exit 3"}, kNoFeature);
	EXPECT_EQ(3, r.status);
	EXPECT_TRUE(has(r.err, "nothing is sealed here")) << r.err;
}

// Bug 2: audit skipped processes it could not judge in silence, and
// --fail-on-unsealed passed. Here every process lacks the status line.
TEST(Tool, AuditCountsWhatItCouldNotJudge)
{
	NEED_FAKE_KERNEL();
	auto r = run({"audit", "--fail-on-unsealed"}, kernel("5"));
	EXPECT_EQ(5, r.status) << r.err;
	EXPECT_TRUE(has(r.err, "could not be judged")) << r.err;
	EXPECT_EQ("", r.out); // nothing unsealed to list
	r = run({"audit", "--verbose", "-r", "-n", "-o", "PID,VERDICT", "-p", std::to_string(getpid())}, kernel("5"));
	EXPECT_EQ(0, r.status);
	EXPECT_EQ(std::to_string(getpid()) + " unknown\n", r.out);
	r = run({"audit", "-J"}, kernel("5"));
	EXPECT_EQ(0, r.status);
	EXPECT_TRUE(has(r.out, "\"verdict\":\"unknown\"")) << r.out;
}

TEST(Tool, AuditWithoutTheFeatureIs4)
{
	NEED_KERNEL_WITHOUT_FEATURE();
	auto r = run({"audit"}, kNoFeature);
	EXPECT_EQ(4, r.status);
	EXPECT_TRUE(has(r.err, "nothing to audit"));
}

// Bug 3: zombies were "not supported by this kernel".
TEST(Tool, StatusOfAZombie)
{
	pid_t child = fork();
	ASSERT_GE(child, 0);
	if (child == 0)
		_exit(0);
	std::string stat = "/proc/" + std::to_string(child) + "/stat";
	for (int i = 0; i < 500; i++) {
		std::string s = slurp(stat);
		if (s.find(") Z ") != std::string::npos)
			break;
		usleep(2000);
	}
	auto r = run({"status", std::to_string(child)});
	int status;
	waitpid(child, &status, 0);
	EXPECT_EQ(0, r.status) << r.err;
	EXPECT_TRUE(has(r.out, "zombie")) << r.out;
	EXPECT_FALSE(has(r.out, "not supported")) << r.out;
}

TEST(Tool, StatusOutputs)
{
	auto r = run({"status"});
	EXPECT_EQ(0, r.status) << r.err;
	EXPECT_TRUE(has(r.out, "PID ")) << r.out;
	EXPECT_TRUE(has(r.out, "  MAPPING")) << r.out;
	EXPECT_TRUE(has(r.out, "[vdso]")) << r.out;
	r = run({"status", "-r", "-n", "-o", "MAPPING,SEALED"});
	EXPECT_EQ(0, r.status);
	EXPECT_TRUE(has(r.out, "[vdso] no\n") || has(r.out, "[vdso] yes\n")) << r.out;
	r = run({"status", "--json"});
	EXPECT_EQ(0, r.status);
	EXPECT_TRUE(r.out.starts_with("{\"version\":2,\"command\":\"status\"")) << r.out;
	r = run({"status", "999999999"});
	EXPECT_EQ(3, r.status);
	EXPECT_TRUE(has(r.err, "sysmapctl: failed to read process 999999999")) << r.err;
	r = run({"status", "--list-columns", "-r", "-n"});
	EXPECT_EQ(0, r.status);
	EXPECT_TRUE(r.out.starts_with("PID number ")) << r.out;
}

TEST(Tool, UsageErrorsHaveOneStyle)
{
	auto r = run({"status", "--bogus"});
	EXPECT_EQ(2, r.status);
	EXPECT_EQ("", r.out);
	EXPECT_EQ(
	    "sysmapctl: 'status' does not take option '--bogus'\nTry 'sysmapctl status --help' for more information.\n",
	    r.err);
	r = run({});
	EXPECT_EQ(2, r.status);
	EXPECT_EQ("sysmapctl: no command given\nTry 'sysmapctl --help' for more information.\n", r.err);
}

TEST(Tool, HelpAndVersion)
{
	for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"status", "-h"}, {"help", "exec"}}) {
		auto r = run(args);
		EXPECT_EQ(0, r.status);
		EXPECT_TRUE(r.out.starts_with("Usage:\n")) << r.out;
		EXPECT_EQ("", r.err);
	}
	for (std::vector<std::string> args : {std::vector<std::string>{"-V"}, {"audit", "--version"}}) {
		auto r = run(args);
		EXPECT_EQ(0, r.status);
		EXPECT_TRUE(r.out.starts_with("sysmapctl from sysmap-seal " SYSMAP_VERSION_STRING)) << r.out;
	}
}

TEST(Tool, FailedWriteToStdoutFails)
{
	if (access("/dev/full", W_OK) != 0)
		GTEST_SKIP() << "no /dev/full";
	auto r = run({"--help"}, {}, "/dev/full");
	EXPECT_EQ(3, r.status);
	EXPECT_TRUE(has(r.err, "failed to write to standard output")) << r.err;
}

TEST(Tool, AuditSummaryGoesToStderr)
{
	NEED_FAKE_KERNEL();
	auto r = run({"audit"}, kernel("5"));
	EXPECT_FALSE(has(r.out, "checked")) << r.out;
	EXPECT_TRUE(has(r.err, "processes checked")) << r.err;
}

// Issue 24, 13: the verdict of "check" hid a failed write (exit 4, not 3).
TEST(Tool, FailedWriteOutranksTheVerdict)
{
	if (access("/dev/full", W_OK) != 0)
		GTEST_SKIP() << "no /dev/full";
	for (const auto &env : {kNoFeature, kernel("0")}) {
		auto r = run({"check"}, env, "/dev/full");
		EXPECT_EQ(3, r.status) << r.err;
		EXPECT_TRUE(has(r.err, "failed to write to standard output")) << r.err;
	}
}

// Issue 24, 10: a PID named twice was counted twice ("unknown":2).
TEST(Tool, AuditCountsAPidNamedTwiceOnce)
{
	NEED_FAKE_KERNEL();
	std::string self = std::to_string(getpid());
	auto r = run({"audit", "-J", "-p", self, "-p", self}, kernel("5"));
	EXPECT_EQ(0, r.status) << r.err;
	EXPECT_TRUE(has(r.out, "\"unknown\":1,")) << r.out;
	EXPECT_EQ(1u, std::count(r.out.begin(), r.out.end(), '{') - 1) << r.out; // the document, one process
}

// Issue 24, 6: "audit -J" printed nothing on a kernel without the feature.
TEST(Tool, AuditJsonWithoutTheFeatureSaysSo)
{
	NEED_KERNEL_WITHOUT_FEATURE();
	auto r = run({"audit", "-J"}, kNoFeature);
	EXPECT_EQ(4, r.status);
	EXPECT_TRUE(r.out.starts_with("{\"version\":2,\"command\":\"audit\",\"supported\":false,")) << r.out;
	EXPECT_TRUE(has(r.err, "nothing to audit")) << r.err;
}

// Issue 24, 14: "sysmapctl criu dump -t 1" (criu itself left out) said
// "failed to execute dump" and exited 127.
TEST(Tool, CriuActionWithoutCriuIsAUsageError)
{
	auto r = run({"criu", "dump", "-t", "1"});
	EXPECT_EQ(125, r.status) << r.err;
	EXPECT_TRUE(has(r.err, "'dump' is a criu action")) << r.err;
	EXPECT_TRUE(has(r.err, "sysmapctl criu -- criu dump")) << r.err;
	EXPECT_FALSE(has(r.err, "failed to execute")) << r.err;
}

// Issue 24, 7: "seal --tree 1" on a kernel without the feature repeated
// the same error once per process.
TEST(Tool, SealWithoutTheFeatureSaysSoOnce)
{
	NEED_KERNEL_WITHOUT_FEATURE();
	auto r = run({"seal", "--tree", "1"}, kNoFeature);
	EXPECT_EQ(4, r.status) << r.err;
	EXPECT_EQ(1, std::count(r.err.begin(), r.err.end(), '\n')) << r.err;
	EXPECT_TRUE(has(r.err, "does not seal system mappings")) << r.err;
}

// Issue 24, 4: with --verbose REASON came after COMMAND, so every row was
// padded to the longest command line. COMMAND is last.
TEST(Tool, AuditVerboseHasCommandLast)
{
	NEED_FAKE_KERNEL();
	auto r = run({"audit", "--verbose", "-p", std::to_string(getpid())}, kernel("5"));
	EXPECT_EQ(0, r.status) << r.err;
	auto header = r.out.substr(0, r.out.find('\n'));
	EXPECT_TRUE(header.ends_with("COMMAND")) << header;
	EXPECT_NE(std::string::npos, header.find("REASON")) << header;
}

// The prctl is PR_MSEAL_SYSTEM_MAPPINGS now; "check" names it.
TEST(Tool, CheckNamesThePrctl)
{
	NEED_FAKE_KERNEL();
	auto r = run({"check"}, kernel("5"));
	EXPECT_TRUE(has(r.out, "PR_MSEAL_SYSTEM_MAPPINGS answers")) << r.out;
	r = run({"check"}, kNoFeature);
	EXPECT_TRUE(has(r.out, "prctl:          not available")) << r.out;
}

// SET on an address space shared with another process: EBUSY, and advice.
TEST(Tool, ExecOnASharedAddressSpaceIsBusy)
{
	NEED_FAKE_KERNEL();
	LogFile log;
	auto env = kernel("0", log.path());
	env["SYSMAP_FAKE_SHARED"] = "1";
	auto r = run({"exec", "--seal", "--", "true"}, env);
	EXPECT_EQ(125, r.status) << r.err;
	EXPECT_TRUE(has(r.err, "shared with another process")) << r.err;
	EXPECT_TRUE(has(r.err, "vfork")) << r.err;
	EXPECT_EQ("SET 1 EBUSY\n", log.text());
}

// Issue 24, 8: with PID 1's smaps unreadable, "status -r 1" printed
// nothing and exited 0, and -J lost the cause. Every output mode now exits
// 3 (the process was not read in full) and says why.
TEST(Tool, StatusOfUnreadableMappingsFails)
{
	if (geteuid() != 0)
		GTEST_SKIP() << "needs root, to run sysmapctl as nobody";
	if (access("/usr/bin/setpriv", X_OK) != 0)
		GTEST_SKIP() << "needs setpriv (util-linux)";
	// nobody runs a copy in a directory it can reach.
	TempDir dir("nobody");
	std::filesystem::permissions(dir.path(),
	                             std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
	                                 std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
	                                 std::filesystem::perms::others_exec);
	std::string copy = dir / "sysmapctl";
	std::filesystem::copy_file(sysmapctl(), copy);
	std::filesystem::permissions(copy, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
	                                       std::filesystem::perms::group_exec |
	                                       std::filesystem::perms::others_read |
	                                       std::filesystem::perms::others_exec);
	const std::vector<std::string> nobody = {"/usr/bin/setpriv", "--reuid=65534",   "--regid=65534",
	                                         "--clear-groups",   "--inh-caps=-all", copy};
	for (const auto &mode : std::vector<std::vector<std::string>>{{}, {"-r"}, {"-J"}}) {
		std::vector<std::string> args = {"status"};
		args.insert(args.end(), mode.begin(), mode.end());
		args.push_back("1");
		auto r = run(args, {}, "", nobody);
		std::string all = r.out + r.err;
		EXPECT_EQ(3, r.status) << "mode " << (mode.empty() ? "table" : mode[0]) << ": " << all;
		EXPECT_TRUE(has(all, "permission denied")) << all;
		EXPECT_TRUE(has(all, "root with CAP_SYS_PTRACE")) << all;
	}
}
