#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "sysmap/procfs.hpp"
#include "temp_dir.hpp"

using namespace sysmap;

namespace
{

std::vector<Mapping> parse(const std::string &text)
{
	std::istringstream in(text);
	return parse_smaps(in);
}

std::optional<SealState> status(const std::string &text)
{
	std::istringstream in(text);
	return parse_status_line(in);
}

std::string fixture(const std::string &name)
{
	std::ifstream f(std::string(SYSMAP_FIXTURES) + "/" + name);
	if (!f)
		throw std::runtime_error("missing test fixture " + name);
	std::ostringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

const char *kVdsoSealed = "7ffc1b5f9000-7ffc1b5fb000 r-xp 00000000 00:00 0                          [vdso]\n"
                          "Size:                  8 kB\n"
                          "Rss:                   4 kB\n"
                          "VmFlags: rd ex mr mw me de sd sl \n";

} // namespace

TEST(Smaps, SealedVdso)
{
	auto maps = parse(kVdsoSealed);
	ASSERT_EQ(1u, maps.size());
	EXPECT_EQ("[vdso]", maps[0].name);
	EXPECT_EQ(0x7ffc1b5f9000u, maps[0].start);
	EXPECT_EQ(0x2000u, maps[0].size());
	EXPECT_EQ("r-xp", maps[0].perms);
	EXPECT_TRUE(maps[0].sealed);
}

TEST(Smaps, UnsealedWhenNoSlFlag)
{
	auto maps = parse("7ffc1b5f9000-7ffc1b5fb000 r-xp 00000000 00:00 0 [vdso]\n"
	                  "VmFlags: rd ex mr mw me de sd\n");
	ASSERT_EQ(1u, maps.size());
	EXPECT_FALSE(maps[0].sealed);
}

TEST(Smaps, SlMustBeAWholeFlag)
{
	// A flag that merely contains "sl" is not the seal flag.
	auto maps = parse("1000-2000 r--p 00000000 00:00 0 [vvar]\nVmFlags: rd xsl slx\n");
	ASSERT_EQ(1u, maps.size());
	EXPECT_FALSE(maps[0].sealed);
}

TEST(Smaps, NamesWithSpacesAndDeleted)
{
	auto maps = parse("1000-2000 r--p 00000000 fe:00 42   /tmp/my file (deleted)\nVmFlags: rd\n"
	                  "2000-3000 rw-p 00000000 00:00 0 \nVmFlags: rd wr\n");
	ASSERT_EQ(2u, maps.size());
	EXPECT_EQ("/tmp/my file (deleted)", maps[0].name);
	EXPECT_EQ("", maps[1].name);
	EXPECT_FALSE(is_system_mapping(maps[0].name));
}

TEST(Smaps, FileNamedLikeSystemMappingIsNotOneUnlessExact)
{
	auto maps = parse("1000-2000 r--p 00000000 fe:00 42 /tmp/[vdso]\n");
	ASSERT_EQ(1u, maps.size());
	EXPECT_TRUE(system_mappings(maps).empty());
}

TEST(Smaps, TruncatedInputKeepsWhatWasRead)
{
	// A process that exits while being read leaves a partial file.
	std::string text = std::string(kVdsoSealed) + "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsys";
	auto maps = parse(text);
	ASSERT_EQ(2u, maps.size());
	EXPECT_TRUE(maps[0].sealed);
	EXPECT_EQ("[vsys", maps[1].name);
}

TEST(Smaps, FlagsAfterABrokenHeaderBelongToNoMapping)
{
	auto maps = parse("1000-2000 r-xp 00000000 00:00 0 [vdso]\nVmFlags: rd ex\n"
	                  "zzzz-yyyy not a header at all\nVmFlags: rd sl\n");
	ASSERT_EQ(1u, maps.size());
	EXPECT_FALSE(maps[0].sealed);
}

TEST(Smaps, GarbageIsIgnored)
{
	EXPECT_TRUE(parse("not smaps at all\n\n:::\nzz-yy r--p 0 0:0 0\n").empty());
	EXPECT_TRUE(parse("").empty());
	EXPECT_TRUE(parse("2000-1000 r--p 00000000 00:00 0 [vdso]\n").empty()); // end < start
}

TEST(Smaps, RealStockKernelFile)
{
	// Captured on a stock kernel: system mappings exist, none is sealed.
	auto all = parse(fixture("smaps-host.txt"));
	EXPECT_GT(all.size(), 10u);
	auto sys = system_mappings(all);
	std::vector<std::string> names;
	for (const auto &m : sys)
		names.push_back(m.name);
	EXPECT_EQ((std::vector<std::string>{"[vvar]", "[vvar_vclock]", "[vdso]", "[vsyscall]"}), names);
	for (const auto &m : all)
		EXPECT_FALSE(m.sealed) << m.name;
}

TEST(Smaps, RealSealedGuestFile)
{
	auto sys = system_mappings(parse(fixture("smaps-sealed.txt")));
	ASSERT_GE(sys.size(), 3u);
	for (const auto &m : sys)
		EXPECT_TRUE(m.sealed) << m.name;
	auto all = parse(fixture("smaps-sealed.txt"));
	for (const auto &m : all) {
		if (m.name == "[stack]" || m.name == "[heap]") {
			EXPECT_FALSE(m.sealed) << m.name;
		}
	}
}

TEST(Smaps, VeryLargeFile)
{
	std::string text;
	for (int i = 0; i < 200000; i++) {
		char line[128];
		std::snprintf(line, sizeof(line), "%x000-%x000 rw-p 00000000 00:00 0 \nVmFlags: rd wr\n",
		              0x10000 + 2 * i, 0x10001 + 2 * i);
		text += line;
	}
	text += kVdsoSealed;
	auto all = parse(text);
	EXPECT_EQ(200001u, all.size());
	EXPECT_EQ(1u, system_mappings(all).size());
}

TEST(Status, ParsesSealedLine)
{
	auto st = status("Name:\tbash\nMseal_sysmap:\timage=sealed policy=seal locked=no\nVmSize:\t1 kB\n");
	ASSERT_TRUE(st);
	EXPECT_EQ((SealState{true, true, false}), *st);
}

TEST(Status, ParsesOptedOutAndLocked)
{
	EXPECT_EQ((SealState{false, false, false}), *status("Mseal_sysmap:\timage=unsealed policy=unseal locked=no\n"));
	EXPECT_EQ((SealState{true, true, true}), *status("Mseal_sysmap:\timage=sealed policy=seal locked=yes\n"));
	EXPECT_EQ((SealState{true, false, false}), *status("Mseal_sysmap:\timage=sealed policy=unseal locked=no\n"));
}

TEST(Status, AbsentOnStockKernel)
{
	EXPECT_FALSE(status(fixture("status-stock.txt")));
}

TEST(Status, RealSealedGuestFile)
{
	auto st = status(fixture("status-sealed.txt"));
	ASSERT_TRUE(st);
	EXPECT_TRUE(st->image_sealed);
	EXPECT_TRUE(st->policy_seal);
}

TEST(Status, UnknownKeysAreIgnored)
{
	auto st = status("Mseal_sysmap:\timage=sealed policy=seal locked=no future=1\n");
	ASSERT_TRUE(st);
	EXPECT_TRUE(st->image_sealed);
}

TEST(Status, MalformedLineThrows)
{
	EXPECT_THROW(status("Mseal_sysmap:\timage=maybe policy=seal locked=no\n"), std::invalid_argument);
	EXPECT_THROW(status("Mseal_sysmap:\timage=sealed\n"), std::invalid_argument);
	EXPECT_THROW(status("Mseal_sysmap:\n"), std::invalid_argument);
}

// parse_process(): the status text "sysmapctl seal" reads once.
TEST(StatusProcess, SealedProcess)
{
	auto p = parse_process(7, "Name:\tsleep\nState:\tS (sleeping)\nUid:\t1000\t1000\t1000\t1000\n"
	                          "Kthread:\t0\nVmSize:\t100 kB\n"
	                          "Mseal_sysmap:\timage=sealed policy=unseal locked=no\n");
	ASSERT_TRUE(p);
	EXPECT_EQ(7, p->pid);
	EXPECT_EQ("sleep", p->comm);
	EXPECT_EQ(1000u, p->uid);
	EXPECT_EQ(Task::Process, p->task);
	ASSERT_TRUE(p->state);
	EXPECT_EQ((SealState{true, false, false}), *p->state);
}

TEST(StatusProcess, KernelThreadZombieExiting)
{
	EXPECT_EQ(Task::KernelThread, parse_process(2, "Name:\tkthreadd\nState:\tS (sleeping)\nKthread:\t1\n")->task);
	EXPECT_EQ(Task::Zombie, parse_process(9, "Name:\tz\nState:\tZ (zombie)\nKthread:\t0\n")->task);
	// Running, but its address space is gone already.
	EXPECT_EQ(Task::Exiting, parse_process(9, "Name:\tx\nState:\tR (running)\nKthread:\t0\n")->task);
}

TEST(StatusProcess, AbsentWhereTheStatFileIsNeeded)
{
	// Kernels before 6.0 have no Kthread: line: read_process() reads stat.
	EXPECT_FALSE(parse_process(7, "Name:\tsleep\nState:\tS (sleeping)\nVmSize:\t1 kB\n"));
	EXPECT_FALSE(parse_process(7, "Name:\tsleep\nKthread:\t0\n"));
	EXPECT_FALSE(parse_process(7, ""));
	EXPECT_FALSE(parse_process(7, "State:\tS (sleeping)\nKthread:\t0\nMseal_sysmap:\timage=maybe\n"));
}

TEST(StatusProcess, SameAsReadProcess)
{
	std::ifstream f("/proc/self/status");
	std::stringstream text;
	text << f.rdbuf();
	auto parsed = parse_process(getpid(), text.str());
	auto read = read_process(getpid(), ReadOptions{false, [](const Process &) { return false; }});
	if (text.str().find("\nKthread:") == std::string::npos)
		GTEST_SKIP() << "this kernel's status has no Kthread: line";
	ASSERT_TRUE(parsed);
	EXPECT_EQ(read.comm, parsed->comm);
	EXPECT_EQ(read.uid, parsed->uid);
	EXPECT_EQ(read.task, parsed->task);
	EXPECT_EQ(read.state.has_value(), parsed->state.has_value());
}

TEST(Stat, ParsesStateFlagsAndStartTime)
{
	// The command name may hold spaces and parentheses: only the last ')' ends it.
	auto st = parse_stat("4242 (a) (b c) R 1 4242 4242 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10 "
	                     "18446744073709551615\n");
	ASSERT_TRUE(st);
	EXPECT_EQ('R', st->state);
	EXPECT_EQ(4194560u, st->flags);
	EXPECT_EQ(98765u, st->start_time);
	EXPECT_FALSE(parse_stat("4242 (short) R 1 2\n"));
	EXPECT_FALSE(parse_stat("no parentheses at all"));
	EXPECT_FALSE(parse_stat(""));
}

TEST(Proc, ReadsOwnProcess)
{
	auto p = read_process(getpid(), true);
	EXPECT_EQ(getpid(), p.pid);
	EXPECT_EQ(Task::Process, p.task);
	EXPECT_EQ("sysmap_unit_tes", p.comm); // comm is cut at 15 characters
	EXPECT_NE(std::string::npos, p.cmdline.find("sysmap_unit_tests"));
	ASSERT_TRUE(p.mappings);
}

TEST(Proc, GoneProcessIsReportedAsSuch)
{
	try {
		read_process(0x3fffffff, true);
		FAIL() << "no error for a process that does not exist";
	} catch (const ProcError &e) {
		EXPECT_EQ(ProcError::Kind::Gone, e.kind());
	}
}

namespace
{

// A made-up /proc under the test's temporary directory.
class FakeProc
{
public:
	explicit FakeProc(const std::string &name) : dir_(name) {}
	const std::string &root() const { return dir_.path(); }
	std::string dir(pid_t pid) const { return dir_ / std::to_string(pid); }

	// A process directory with stat, status and cmdline; flags are PF_*.
	void add(pid_t pid, const std::string &comm, char state, unsigned long flags, const std::string &status_extra,
	         const std::string &cmdline, unsigned long long start = 1000)
	{
		std::filesystem::create_directories(dir(pid));
		write(pid, "stat", stat_line(pid, comm, state, flags, start));
		write(pid, "status",
		      "Name:\t" + comm + "\nState:\t" + state + "\nUid:\t1000\t1000\t1000\t1000\n" + status_extra);
		write(pid, "cmdline", cmdline);
	}
	void write(pid_t pid, const std::string &file, const std::string &text) const
	{
		std::ofstream(dir(pid) + "/" + file, std::ios::binary | std::ios::trunc) << text;
	}
	static std::string stat_line(pid_t pid, const std::string &comm, char state, unsigned long flags,
	                             unsigned long long start)
	{
		return std::to_string(pid) + " (" + comm + ") " + state + " 1 1 1 0 -1 " + std::to_string(flags) +
		       " 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start) + " 0 0\n";
	}

private:
	TempDir dir_;
};

constexpr unsigned long kPfExiting = 0x4, kPfKthread = 0x00200000;
const std::string kMm = "VmSize:\t100 kB\n";
const std::string kSealedLine = "Mseal_sysmap:\timage=sealed policy=seal locked=no\n";

} // namespace

TEST(Proc, FakeProcRootKernelThreadProcessZombie)
{
	FakeProc fp("fakeproc");
	fp.add(2, "kthreadd", 'S', kPfKthread, "", "");
	fp.add(77, "criu", 'S', 0, kMm + "Mseal_sysmap:\timage=unsealed policy=unseal locked=no\n",
	       std::string("criu\0restore\0-D\0/tmp/img", 24));
	fp.add(90, "defunct", 'Z', 0, "", "");
	auto k = read_process(2, true, fp.root());
	EXPECT_EQ(Task::KernelThread, k.task);
	EXPECT_EQ("[kthreadd]", k.cmdline);
	auto c = read_process(77, false, fp.root());
	EXPECT_EQ(Task::Process, c.task);
	EXPECT_EQ(1000u, c.uid);
	EXPECT_EQ("criu restore -D /tmp/img", c.cmdline);
	ASSERT_TRUE(c.state);
	EXPECT_FALSE(c.state->policy_seal);
	EXPECT_EQ((std::vector<pid_t>{2, 77, 90}), list_pids(fp.root()));
	auto z = read_process(90, true, fp.root());
	EXPECT_EQ(Task::Zombie, z.task);
	EXPECT_FALSE(z.mappings);
}

// Bug 3: a task whose address space is gone because it is exiting was
// called a kernel thread.
TEST(Proc, ExitingTaskIsNoKernelThread)
{
	FakeProc fp("fakeproc-exiting");
	fp.add(93, "leaving", 'R', kPfExiting, "", "");
	auto p = read_process(93, true, fp.root());
	EXPECT_EQ(Task::Exiting, p.task);
	EXPECT_FALSE(p.kernel_thread());
	EXPECT_FALSE(p.state);
	EXPECT_FALSE(p.mappings);
}

// Bug 3, on the real kernel: a zombie is a zombie.
TEST(Proc, RealZombie)
{
	pid_t child = fork();
	ASSERT_GE(child, 0);
	if (child == 0)
		_exit(0);
	Process p;
	for (int i = 0; i < 500; i++) {
		// Process, then (for an instant) Exiting, then Zombie; never a
		// kernel thread. A read that overlaps the exit says so: try again.
		try {
			p = read_process(child, true);
		} catch (const ProcError &e) {
			ASSERT_EQ(ProcError::Kind::Gone, e.kind()) << e.what();
			continue;
		}
		ASSERT_NE(Task::KernelThread, p.task);
		if (p.task == Task::Zombie)
			break;
		usleep(2000);
	}
	int status;
	waitpid(child, &status, 0);
	EXPECT_EQ(Task::Zombie, p.task);
	EXPECT_FALSE(p.kernel_thread());
	EXPECT_FALSE(p.mappings);
	EXPECT_THROW(read_process(child, true), ProcError); // reaped now
}

TEST(Proc, MalformedStatusLineIsMalformed)
{
	FakeProc fp("fakeproc-malformed");
	fp.add(91, "x", 'S', 0, kMm + "Mseal_sysmap:\timage=huh policy=seal locked=no\n", "x");
	try {
		read_process(91, false, fp.root());
		FAIL() << "no error for a malformed Mseal_sysmap: line";
	} catch (const ProcError &e) {
		EXPECT_EQ(ProcError::Kind::Malformed, e.kind());
		EXPECT_NE(std::string::npos, std::string(e.what()).find("image"));
	}
}

TEST(Proc, VanishedBetweenReadsIsGone)
{
	// status read, smaps gone: the process exited between the two reads.
	FakeProc fp("fakeproc-vanished");
	fp.add(77, "criu", 'S', 0, kMm + kSealedLine, "criu");
	try {
		read_process(77, true, fp.root());
		FAIL() << "no error for a process that vanished";
	} catch (const ProcError &e) {
		EXPECT_EQ(ProcError::Kind::Gone, e.kind());
	}
}

namespace
{

// Open a FIFO for writing once a reader has opened it, and write `text`;
// call `meanwhile` while the reader waits for the end of it. False if no
// reader came within a few seconds.
bool feed_fifo(const std::string &path, const std::string &text, const std::function<void()> &meanwhile)
{
	// Wait for the reader (it blocks in open()) for as long as a busy
	// machine may need to get there.
	int fd = -1;
	for (int i = 0; i < 30000 && fd < 0; i++) {
		fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			usleep(2000);
	}
	if (fd < 0) {
		// No reader came: make sure none can block for ever later. With
		// a writer held open, an open() for reading returns at once;
		// then a regular file takes the FIFO's place, and closing the
		// writer gives any reader of the FIFO its end of file.
		int hold = open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
		std::string plain = path + ".plain";
		std::ofstream(plain) << text;
		std::filesystem::rename(plain, path);
		if (hold >= 0)
			close(hold);
		return false;
	}
	bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
	meanwhile();
	close(fd);
	return ok;
}

} // namespace

// Bug 4: the PID is reused while the process is being read. The reader
// blocks in the middle of status (a FIFO here); meanwhile the directory
// of PID 77 is replaced by another process's. Everything after status
// must still come from the first process, not from its successor.
TEST(Proc, PidReusedWhileReadingDoesNotMixProcesses)
{
	FakeProc fp("fakeproc-reuse");
	fp.add(77, "first", 'S', 0, "", "first-program");
	std::filesystem::remove(fp.dir(77) + "/status");
	ASSERT_EQ(0, mkfifo((fp.dir(77) + "/status").c_str(), 0600));
	fp.add(78, "second", 'S', 0, kMm + kSealedLine, "second-program", 2000);

	std::atomic<bool> fed{false};
	std::thread writer([&] {
		fed = feed_fifo(fp.dir(77) + "/status",
		                "Name:\tfirst\nState:\tS\nUid:\t0\t0\t0\t0\n" + kMm +
		                    "Mseal_sysmap:\timage=unsealed policy=unseal locked=no\n",
		                [&] {
			                std::filesystem::rename(fp.dir(77), fp.root() + "/old-77");
			                std::filesystem::rename(fp.dir(78), fp.dir(77));
		                });
	});
	Process p;
	std::string error;
	try {
		p = read_process(77, false, fp.root());
	} catch (const ProcError &e) {
		error = e.what();
	}
	writer.join();
	ASSERT_TRUE(fed) << "read_process() never opened status";
	ASSERT_EQ("", error);
	EXPECT_EQ("first", p.comm);
	EXPECT_EQ("first-program", p.cmdline); // not "second-program"
	ASSERT_TRUE(p.state);
	EXPECT_FALSE(p.state->image_sealed);
}

// A process that becomes a zombie while it is read has left half of itself
// behind (an empty smaps): it is reported gone, not as a sealed-less process.
TEST(Proc, ExitWhileReadingIsGone)
{
	FakeProc fp("fakeproc-exit");
	fp.add(80, "dying", 'S', 0, "", "dying");
	fp.write(80, "smaps", "");
	std::filesystem::remove(fp.dir(80) + "/status");
	ASSERT_EQ(0, mkfifo((fp.dir(80) + "/status").c_str(), 0600));
	std::atomic<bool> fed{false};
	std::thread writer([&] {
		fed = feed_fifo(fp.dir(80) + "/status", "Name:\tdying\nState:\tS\n" + kMm + kSealedLine,
		                [&] { fp.write(80, "stat", FakeProc::stat_line(80, "dying", 'Z', 0, 1000)); });
	});
	std::optional<ProcError::Kind> kind;
	try {
		read_process(80, true, fp.root());
	} catch (const ProcError &e) {
		kind = e.kind();
	}
	writer.join();
	ASSERT_TRUE(fed);
	EXPECT_EQ(ProcError::Kind::Gone, kind);
}

TEST(Proc, FindMappingInOwnProcess)
{
	auto stack = find_mapping(0, "[stack]");
	ASSERT_TRUE(stack);
	EXPECT_LT(stack->start, stack->end);
	EXPECT_FALSE(find_mapping(0, "[no such mapping]"));
	EXPECT_THROW(find_mapping(0x3fffffff, "[stack]"), ProcError);
}

namespace
{

// Fork a child that runs `prepare` and then waits; read it with
// read_process() while it waits, then kill it. nullopt if `prepare`
// failed (the reason is the caller's to give).
std::optional<Process> read_prepared_child(const std::function<bool()> &prepare, bool mappings)
{
	int ready[2];
	if (pipe(ready) != 0)
		return std::nullopt;
	pid_t child = fork();
	if (child == 0) {
		char ok = prepare() ? 'y' : 'n';
		if (write(ready[1], &ok, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	char ok = 0;
	std::optional<Process> p;
	if (child > 0 && read(ready[0], &ok, 1) == 1 && ok == 'y')
		p = read_process(child, mappings);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, nullptr, 0);
	}
	close(ready[0]);
	close(ready[1]);
	return p;
}

// CRIU's vdso_mark as criu 3.17 writes it (version 3).
std::vector<unsigned char> mark_v3(std::uint64_t vdso, std::uint64_t vvar)
{
	const std::uint64_t words[5] = {0x4f53447655495243ULL, vdso, 3, vvar, 0x7f0000001000ULL};
	std::vector<unsigned char> out(sizeof(words));
	std::memcpy(out.data(), words, sizeof(words));
	return out;
}

} // namespace

TEST(CriuMark, Version3NamesTheProxyAndTheDumpedVvar)
{
	auto m = mark_v3(0x7ffd10000000ULL, 0x7ffd0fffc000ULL);
	auto p = parse_criu_vdso_mark(m.data(), m.size());
	ASSERT_TRUE(p);
	EXPECT_EQ(0x7ffd10000000ULL, p->vdso);
	EXPECT_EQ(std::optional<std::uint64_t>(0x7ffd0fffc000ULL), p->vvar);
}

TEST(CriuMark, NoVvarIsAllOnes)
{
	auto m = mark_v3(0x7ffd10000000ULL, ~0ULL);
	auto p = parse_criu_vdso_mark(m.data(), m.size());
	ASSERT_TRUE(p);
	EXPECT_FALSE(p->vvar);
}

TEST(CriuMark, Version1HasOnlyTheProxy)
{
	const std::uint64_t words[2] = {0x6f73647675697263ULL, 0x7ffd10000000ULL};
	auto p = parse_criu_vdso_mark(reinterpret_cast<const unsigned char *>(words), sizeof(words));
	ASSERT_TRUE(p);
	EXPECT_EQ(0x7ffd10000000ULL, p->vdso);
	EXPECT_FALSE(p->vvar);
}

TEST(CriuMark, AnElfHeaderIsNoMark)
{
	unsigned char elf[40] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	EXPECT_FALSE(parse_criu_vdso_mark(elf, sizeof(elf)));
	EXPECT_FALSE(parse_criu_vdso_mark(nullptr, 0));
	auto m = mark_v3(0x7ffd10000000ULL, ~0ULL);
	EXPECT_FALSE(parse_criu_vdso_mark(m.data(), 24)) << "a version-3 mark cut short";
	auto none = mark_v3(~0ULL, ~0ULL);
	EXPECT_FALSE(parse_criu_vdso_mark(none.data(), none.size())) << "a mark naming no proxy";
}

TEST(CriuMark, ProxyMappingsAreRenamedCopiesOfWhatIsMappedThere)
{
	auto all = parse("7f0000000000-7f0000002000 r-xp 00000000 00:00 0 \n"
	                 "VmFlags: rd ex mr mw me \n"
	                 "7f0000002000-7f0000004000 r--p 00000000 00:00 0 \n"
	                 "VmFlags: rd mr mw me sl \n"
	                 "7ffc00000000-7ffc00002000 r-xp 00000000 00:00 0                          [vdso]\n"
	                 "VmFlags: rd ex mr mw me de sd sl \n");
	auto got = proxy_mappings(all, VdsoProxy{0x7f0000000000ULL, 0x7f0000002000ULL});
	ASSERT_EQ(2u, got.size());
	EXPECT_EQ(kVdsoProxyName, got[0].name);
	EXPECT_EQ(0x7f0000000000ULL, got[0].start);
	EXPECT_FALSE(got[0].sealed);
	EXPECT_EQ(kVvarProxyName, got[1].name);
	EXPECT_TRUE(got[1].sealed);
	// Nothing mapped at the named address, or the kernel's own [vdso]
	// there (a mark left behind), is no proxy.
	EXPECT_TRUE(proxy_mappings(all, VdsoProxy{0x7e0000000000ULL, std::nullopt}).empty());
	EXPECT_TRUE(proxy_mappings(all, VdsoProxy{0x7ffc00000000ULL, std::nullopt}).empty());
	EXPECT_TRUE(proxy_mappings(all, std::nullopt).empty());
}

// A child makes itself look like a process CRIU restored through a proxy:
// an anonymous executable mapping, and a mark naming it at the start of
// its [vdso]. read_process() reports the mapping as "[vdso-proxy]",
// unsealed.
TEST(Proc, ReportsTheVdsoProxyOfAProcess)
{
	const long page = sysconf(_SC_PAGESIZE);
	void *proxy = mmap(nullptr, 2 * page, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, proxy);
	auto vdso = find_mapping(0, "[vdso]");
	if (!vdso)
		GTEST_SKIP() << "this process has no [vdso] (vdso=0 on the command line?)";
	// The mark is written as a debugger would (the [vdso] cannot be made
	// writable).
	auto p = read_prepared_child(
	    [&] {
		    auto m = mark_v3(reinterpret_cast<std::uintptr_t>(proxy), ~0ULL);
		    int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
		    return mem >= 0 && pwrite(mem, m.data(), m.size(), static_cast<off_t>(vdso->start)) ==
		                           static_cast<ssize_t>(m.size());
	    },
	    true);
	munmap(proxy, 2 * static_cast<std::size_t>(page));
	if (!p)
		GTEST_SKIP() << "writing /proc/self/mem is refused here (proc_mem.force_override=never?)";
	ASSERT_TRUE(p->mappings);
	auto it = std::find_if(p->mappings->begin(), p->mappings->end(),
	                       [](const Mapping &m) { return m.name == kVdsoProxyName; });
	ASSERT_NE(p->mappings->end(), it);
	EXPECT_EQ(reinterpret_cast<std::uintptr_t>(proxy), it->start);
	EXPECT_EQ(2 * static_cast<std::uint64_t>(page), it->size());
	EXPECT_FALSE(it->sealed);
}

// Issue 24, 11: the name came from status's escaped Name: line, trimmed,
// and came out escaped twice. A name with a newline, a backslash and a
// trailing space comes back as it was set.
TEST(Proc, CommandNameAsItWasSet)
{
	auto p = read_prepared_child([] { return prctl(PR_SET_NAME, "a\nb\\c ", 0, 0, 0) == 0; }, false);
	ASSERT_TRUE(p) << "PR_SET_NAME failed";
	EXPECT_EQ("a\nb\\c ", p->comm);
}

// Issue 24, 2: a process read in the middle of execve() (smaps opened on
// the address space it was giving up, hence empty) was reported as a
// process without system mappings. It is reported as not read, and why.
TEST(Proc, EmptySmapsOfALiveProcessIsNoAnswer)
{
	FakeProc fp("fakeproc-exec");
	fp.add(300, "sleep", 'R', 0, kMm + kSealedLine,
	       std::string("sleep\0"
	                   "1",
	                   8));
	fp.write(300, "smaps", "");
	auto p = read_process(300, true, fp.root());
	EXPECT_EQ(Task::Process, p.task);
	EXPECT_FALSE(p.mappings) << "an empty list of mappings, as if it had none";
	EXPECT_NE(std::string::npos, p.mappings_error.find("executing a new program")) << p.mappings_error;
	// With its mappings there, they are read.
	fp.write(300, "smaps", kVdsoSealed);
	p = read_process(300, true, fp.root());
	ASSERT_TRUE(p.mappings);
	EXPECT_EQ(1u, p.mappings->size());
}
