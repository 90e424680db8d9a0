// The pure parts of "sysmapctl seal" and "sysmapctl criu": the fault hook,
// the tree walk over a fake /proc, the status fields, criu's command line
// and the policy file.
#include <array>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "arch.hpp"
#include "cli.hpp"
#include "criu.hpp"
#include "reseal.hpp"
#include "sysmap/policy.hpp"
#include "sysmap/sysmap.h"
#include "temp_dir.hpp"

using namespace sysmap;
namespace fs = std::filesystem;

namespace
{

// A /proc with only what the tree walk reads: PID/task/TID/children.
class FakeProc
{
public:
	FakeProc() : dir_("reseal-proc") {}
	void children(pid_t pid, pid_t tid, const std::string &list)
	{
		fs::path dir = fs::path(dir_.path()) / std::to_string(pid) / "task" / std::to_string(tid);
		fs::create_directories(dir);
		std::ofstream(dir / "children") << list;
	}
	std::string root() const { return dir_.path(); }

private:
	TempDir dir_;
};

std::vector<pid_t> walk(pid_t root, const std::string &proc)
{
	std::vector<pid_t> seen;
	auto order = reseal::walk_tree(
	    root, [&](pid_t p) { seen.push_back(p); }, proc);
	EXPECT_EQ(seen, order); // one worker: the visits are the order
	return seen;
}

// A tree of 1 + 3 + 9 processes: PID 1, its children 10..12, theirs
// 100..108.
void three_levels(FakeProc &proc)
{
	proc.children(1, 1, "10 11 12");
	for (int c = 0; c < 3; c++) {
		std::string kids;
		for (int g = 0; g < 3; g++)
			kids += std::to_string(100 + 3 * c + g) + " ";
		proc.children(10 + c, 10 + c, kids);
	}
}

} // namespace

TEST(Reseal, FaultNames)
{
	using F = reseal::Fault;
	EXPECT_EQ(F::None, reseal::parse_fault(""));
	EXPECT_EQ(F::Attach, reseal::parse_fault("attach"));
	EXPECT_EQ(F::Interrupt, reseal::parse_fault("interrupt"));
	EXPECT_EQ(F::GetRegs, reseal::parse_fault("getregs"));
	EXPECT_EQ(F::FindSyscall, reseal::parse_fault("find-syscall"));
	EXPECT_EQ(F::Inject, reseal::parse_fault("inject"));
	EXPECT_EQ(F::Entry, reseal::parse_fault("entry"));
	EXPECT_EQ(F::Restore, reseal::parse_fault("restore"));
	for (auto f : {F::Attach, F::Interrupt, F::GetRegs, F::FindSyscall, F::Inject, F::Entry, F::Restore})
		EXPECT_EQ(f, reseal::parse_fault(reseal::fault_name(f)));
}

TEST(Reseal, UnknownFaultListsTheSteps)
{
	try {
		reseal::parse_fault("Attach");
		FAIL() << "no error";
	} catch (const std::invalid_argument &e) {
		EXPECT_NE(std::string::npos, std::string(e.what()).find("'Attach'"));
		EXPECT_NE(std::string::npos, std::string(e.what()).find("attach, interrupt, getregs, find-syscall, "
		                                                        "inject, entry, restore"));
	}
	EXPECT_THROW(reseal::parse_fault("restore "), std::invalid_argument);
}

TEST(Reseal, ChildrenOfEveryThread)
{
	FakeProc proc;
	proc.children(1, 1, "3 2 ");
	proc.children(1, 5, "4\n"); // a child forked by another thread
	proc.children(2, 2, "");
	EXPECT_EQ((std::vector<pid_t>{2, 3, 4}), reseal::children(1, proc.root()));
	EXPECT_TRUE(reseal::children(2, proc.root()).empty());
	EXPECT_TRUE(reseal::children(99, proc.root()).empty()); // gone
}

TEST(Reseal, WalkParentsFirstEachOnce)
{
	FakeProc proc;
	proc.children(1, 1, "2 3");
	proc.children(1, 5, "4");
	proc.children(2, 2, "6");
	proc.children(6, 6, "1"); // not a real tree, but a walk must end anyway
	proc.children(3, 3, "6");
	EXPECT_EQ((std::vector<pid_t>{1, 2, 6, 3, 4}), walk(1, proc.root()));
	EXPECT_EQ((std::vector<pid_t>{42}), walk(42, proc.root())); // a PID without a /proc entry is still visited
}

TEST(Reseal, WalkReadsChildrenAfterTheVisit)
{
	// A child forked while its parent is being sealed is still found.
	FakeProc proc;
	proc.children(1, 1, "");
	std::vector<pid_t> seen;
	reseal::walk_tree(
	    1,
	    [&](pid_t p) {
		    seen.push_back(p);
		    if (p == 1)
			    proc.children(1, 1, "7");
	    },
	    proc.root());
	EXPECT_EQ((std::vector<pid_t>{1, 7}), seen);
}

TEST(Reseal, WalkWithWorkersVisitsEachOnceInTheOrderOfOne)
{
	FakeProc proc;
	three_levels(proc);
	std::vector<pid_t> one = walk(1, proc.root());
	ASSERT_EQ(13u, one.size());
	std::mutex mu;
	std::map<pid_t, int> visits;
	std::vector<pid_t> order = reseal::walk_tree(
	    1,
	    [&](pid_t p) {
		    std::lock_guard lock(mu);
		    visits[p]++;
	    },
	    proc.root(), 4);
	EXPECT_EQ(one, order);
	EXPECT_EQ(13u, visits.size());
	for (const auto &[pid, n] : visits)
		EXPECT_EQ(1, n) << "PID " << pid;
}

TEST(Reseal, WalkWithWorkersVisitsSeveralAtOnce)
{
	// A visit below the root waits until another one runs beside it: with
	// one visit at a time, the first waits out its deadline, and the others
	// no longer wait.
	FakeProc proc;
	three_levels(proc);
	std::mutex mu;
	std::condition_variable cv;
	int running = 0, most = 0;
	bool gave_up = false;
	reseal::walk_tree(
	    1,
	    [&](pid_t p) {
		    std::unique_lock lock(mu);
		    running++;
		    most = std::max(most, running);
		    cv.notify_all();
		    if (p != 1 && !cv.wait_for(lock, std::chrono::seconds(30), [&] { return most >= 2 || gave_up; }))
			    gave_up = true;
		    running--;
	    },
	    proc.root(), 2);
	EXPECT_EQ(2, most);
}

TEST(Reseal, WalkWithWorkersPassesAnErrorOn)
{
	// The visit of PID 11 fails: the error reaches the caller, and the
	// children of 11 (103 to 105) are never read, so never visited.
	FakeProc proc;
	three_levels(proc);
	std::mutex mu;
	std::set<pid_t> visited;
	EXPECT_THROW(reseal::walk_tree(
	                 1,
	                 [&](pid_t p) {
		                 {
			                 std::lock_guard lock(mu);
			                 visited.insert(p);
		                 }
		                 if (p == 11)
			                 throw std::runtime_error("visit failed");
	                 },
	                 proc.root(), 3),
	             std::runtime_error);
	EXPECT_TRUE(visited.count(11));
	for (pid_t grandchild : {103, 104, 105})
		EXPECT_FALSE(visited.count(grandchild)) << "PID " << grandchild;
}

TEST(Reseal, WalkWithWorkersStartsNoVisitOnceASignalWaits)
{
	// SIGTERM, blocked here so that it stays pending, arrives during the
	// root's visit: the walk starts no other, and gives it back pending.
	sigset_t term, old;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	ASSERT_EQ(0, pthread_sigmask(SIG_BLOCK, &term, &old));
	FakeProc proc;
	three_levels(proc);
	std::vector<pid_t> order = reseal::walk_tree(
	    1,
	    [&](pid_t p) {
		    if (p == 1)
			    kill(getpid(), SIGTERM);
	    },
	    proc.root(), 2);
	EXPECT_EQ((std::vector<pid_t>{1}), order);
	timespec now{};
	EXPECT_EQ(SIGTERM, sigtimedwait(&term, nullptr, &now));
	pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

TEST(Reseal, TraceInfo)
{
	auto ti = reseal::parse_trace_info("Name:\tcat\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t812\nNgid:\t0\n"
	                                   "Pid:\t813\nPPid:\t1\nTracerPid:\t77\nUid:\t1000\t1000\t1000\t1000\n"
	                                   "Seccomp:\t2\nSeccomp_filters:\t1\n");
	ASSERT_TRUE(ti);
	EXPECT_EQ(812, ti->tgid);
	EXPECT_EQ(77, ti->tracer);
	EXPECT_EQ(1000u, ti->uid);
	EXPECT_EQ(2, ti->seccomp);
	// No Seccomp: line (CONFIG_SECCOMP=n) is no seccomp.
	ti = reseal::parse_trace_info("Tgid:\t1\nTracerPid:\t0\nUid:\t0\t0\t0\t0\n");
	ASSERT_TRUE(ti);
	EXPECT_EQ(0, ti->seccomp);
	EXPECT_FALSE(reseal::parse_trace_info("Tgid:\t1\nUid:\t0\t0\t0\t0\n"));       // truncated
	EXPECT_FALSE(reseal::parse_trace_info("Tgid:\tx\nTracerPid:\t0\nUid:\t0\n")); // malformed
}

TEST(Reseal, SealFlagsKeepALock)
{
	EXPECT_EQ(kFlagSeal | kFlagImage, reseal::seal_flags({false, false, false}, false));
	EXPECT_EQ(kFlagSeal | kFlagImage | kFlagLock, reseal::seal_flags({false, false, false}, true));
	// A locked policy refuses any other value: sealing it keeps the lock.
	EXPECT_EQ(kFlagSeal | kFlagImage | kFlagLock, reseal::seal_flags({false, true, true}, false));
}

// The calls injected into a target: the policy with PR_MSEAL_SYSMAP_SET if
// it differs, then PR_MSEAL_SYSMAP_SEAL_IMAGE if the image is not sealed
// yet; every unused argument 0.
TEST(Reseal, PrctlCallsSetThenSealImage)
{
	using Args = reseal::PrctlArgs;
	const Args set_seal{82, 2, 1, 0, 0}, set_lock{82, 2, 3, 0, 0}, set_unseal{82, 2, 0, 0, 0};
	const Args seal_image{82, 3, 0, 0, 0};
	EXPECT_EQ(PR_MSEAL_SYSTEM_MAPPINGS, 82);
	// Opted out (criu's restored processes): both calls, the policy first.
	EXPECT_EQ((std::vector<Args>{set_seal, seal_image}),
	          reseal::prctl_calls({false, false, false}, kFlagSeal | kFlagImage));
	EXPECT_EQ((std::vector<Args>{set_lock, seal_image}),
	          reseal::prctl_calls({false, false, false}, kFlagSeal | kFlagLock | kFlagImage));
	// Sealed already: only the lock.
	EXPECT_EQ((std::vector<Args>{set_lock}),
	          reseal::prctl_calls({true, true, false}, kFlagSeal | kFlagLock | kFlagImage));
	// Locked to seal, image unsealed: no SET (a lock refuses it), only SEAL_IMAGE.
	EXPECT_EQ((std::vector<Args>{seal_image}),
	          reseal::prctl_calls({false, true, true}, kFlagSeal | kFlagLock | kFlagImage));
	// A record opted out after its execve() sealed it: the image only, the policy stays.
	EXPECT_EQ((std::vector<Args>{seal_image}), reseal::prctl_calls({false, false, false}, kFlagImage));
	EXPECT_EQ((std::vector<Args>{set_unseal}), reseal::prctl_calls({true, true, false}, kFlagImage));
	// Without IMAGE the image is left as it is.
	EXPECT_EQ((std::vector<Args>{set_seal}), reseal::prctl_calls({false, false, false}, kFlagSeal));
	// In that state already: nothing.
	EXPECT_TRUE(reseal::prctl_calls({true, true, true}, kFlagSeal | kFlagLock | kFlagImage).empty());
	EXPECT_TRUE(reseal::prctl_calls({true, false, false}, kFlagImage).empty());
}

#ifndef SYSMAP_NO_INJECTION
// All five arguments of an injected call reach their registers, for the
// native and the 32-bit ABI: prctl() fails (EINVAL) on a stale register in
// an unused one.
TEST(Reseal, InjectedCallPassesFiveArguments)
{
	using namespace reseal::arch;
	const Call call{kPrctlNative, kPrctlCompat, {82, 2, 3, 0, 0}};
	const Call all{kPrctlNative, kPrctlCompat, {1, 2, 3, 4, 5}};
	Regs saved;
#if defined(__x86_64__)
	saved.r.cs = 0x33;
	saved.r.rdi = saved.r.rsi = saved.r.rdx = saved.r.r10 = saved.r.r8 = saved.r.r9 = 0xdead;
	Regs r = prepare(saved, 0x1000, call);
	EXPECT_EQ(0x1000u, pc(r));
	EXPECT_EQ(static_cast<unsigned long long>(SYS_prctl), r.r.rax);
	EXPECT_EQ((std::array<unsigned long long, 5>{82, 2, 3, 0, 0}),
	          (std::array<unsigned long long, 5>{r.r.rdi, r.r.rsi, r.r.rdx, r.r.r10, r.r.r8}));
	r = prepare(saved, 0x1000, all);
	EXPECT_EQ((std::array<unsigned long long, 5>{1, 2, 3, 4, 5}),
	          (std::array<unsigned long long, 5>{r.r.rdi, r.r.rsi, r.r.rdx, r.r.r10, r.r.r8}));
	saved.r.cs = 0x23; // ia32
	saved.r.rbx = saved.r.rcx = 0xdead;
	r = prepare(saved, 0x1000, call);
	EXPECT_EQ(172u, r.r.rax);
	EXPECT_EQ((std::array<unsigned long long, 5>{82, 2, 3, 0, 0}),
	          (std::array<unsigned long long, 5>{r.r.rbx, r.r.rcx, r.r.rdx, r.r.rsi, r.r.rdi}));
	r = prepare(saved, 0x1000, all);
	EXPECT_EQ((std::array<unsigned long long, 5>{1, 2, 3, 4, 5}),
	          (std::array<unsigned long long, 5>{r.r.rbx, r.r.rcx, r.r.rdx, r.r.rsi, r.r.rdi}));
#elif defined(__aarch64__)
	for (auto &x : saved.r.regs)
		x = 0xdead;
	Regs r = prepare(saved, 0x1000, call);
	EXPECT_EQ(0x1000u, pc(r));
	EXPECT_EQ(static_cast<unsigned long long>(SYS_prctl), r.r.regs[8]);
	EXPECT_EQ((std::array<unsigned long long, 5>{82, 2, 3, 0, 0}),
	          (std::array<unsigned long long, 5>{r.r.regs[0], r.r.regs[1], r.r.regs[2], r.r.regs[3], r.r.regs[4]}));
	r = prepare(saved, 0x1000, all);
	EXPECT_EQ((std::array<unsigned long long, 5>{1, 2, 3, 4, 5}),
	          (std::array<unsigned long long, 5>{r.r.regs[0], r.r.regs[1], r.r.regs[2], r.r.regs[3], r.r.regs[4]}));
	saved.a32 = true; // AArch32
	saved.c.fill(0xdead);
	r = prepare(saved, 0x1000, call);
	EXPECT_EQ(172u, r.c[7]);
	EXPECT_EQ((std::array<std::uint32_t, 5>{82, 2, 3, 0, 0}),
	          (std::array<std::uint32_t, 5>{r.c[0], r.c[1], r.c[2], r.c[3], r.c[4]}));
	r = prepare(saved, 0x1000, all);
	EXPECT_EQ((std::array<std::uint32_t, 5>{1, 2, 3, 4, 5}),
	          (std::array<std::uint32_t, 5>{r.c[0], r.c[1], r.c[2], r.c[3], r.c[4]}));
#endif
}
#endif

TEST(Criu, FindsActionTreeAndDirectories)
{
	auto inv = criu::parse_invocation({"criu", "dump", "-t", "123", "-D", "/img", "-o", "dump.log", "-v4"});
	EXPECT_EQ("dump", inv.action);
	EXPECT_EQ(1u, inv.action_index);
	EXPECT_EQ(123, inv.tree);
	EXPECT_EQ("/img", inv.images_dir);
	EXPECT_FALSE(inv.work_dir);
	EXPECT_FALSE(inv.leave_stopped);

	inv = criu::parse_invocation({"/usr/sbin/criu", "-v4", "-Drestore", "--work-dir=/w", "restore", "-s"});
	EXPECT_EQ("restore", inv.action); // -Drestore is a directory
	EXPECT_EQ(4u, inv.action_index);
	EXPECT_EQ("restore", inv.images_dir);
	EXPECT_EQ("/w", inv.work_dir);
	EXPECT_TRUE(inv.leave_stopped);

	inv = criu::parse_invocation({"criu", "-o", "dump", "--tree=7", "--images-dir", "d", "dump"});
	EXPECT_EQ("dump", inv.action); // the first "dump" is -o's log file
	EXPECT_EQ(6u, inv.action_index);
	EXPECT_EQ(7, inv.tree);
	EXPECT_EQ("d", inv.images_dir);

	inv = criu::parse_invocation({"criu", "dump", "-t9", "--", "restore"});
	EXPECT_EQ(9, inv.tree);
	EXPECT_EQ(".", inv.images_dir);

	inv = criu::parse_invocation({"criu", "check"});
	EXPECT_EQ("check", inv.action);
	EXPECT_FALSE(inv.tree);

	EXPECT_THROW(criu::parse_invocation({"criu", "dump", "-t", "abc"}), std::invalid_argument);
	EXPECT_THROW(criu::parse_invocation({"criu", "dump", "-t"}), std::invalid_argument);
	EXPECT_THROW(criu::parse_invocation({"criu", "dump", "--tree=0"}), std::invalid_argument);
}

TEST(Criu, RestoreArguments)
{
	std::vector<std::string> args{"criu", "restore", "-D", "img", "--exec-cmd", "--", "true"};
	auto inv = criu::parse_invocation(args);
	EXPECT_EQ((std::vector<std::string>{"criu", "restore", "--restore-detached", "--leave-stopped", "--pidfile",
	                                    "/tmp/x/pid", "-D", "img", "--exec-cmd", "--", "true"}),
	          criu::restore_args(inv, args, "/tmp/x/pid"));

	// The caller's own pidfile is kept, and read where criu writes it.
	args = {"criu", "restore", "-D", "img", "--pidfile", "root.pid"};
	inv = criu::parse_invocation(args);
	ASSERT_TRUE(inv.pidfile);
	EXPECT_EQ((std::vector<std::string>{"criu", "restore", "--restore-detached", "--leave-stopped", "-D", "img",
	                                    "--pidfile", "root.pid"}),
	          criu::restore_args(inv, args, "/tmp/x/pid"));
	EXPECT_EQ("img/root.pid", criu::pidfile_path(inv));
	inv = criu::parse_invocation({"criu", "restore", "-D", "img", "-W", "/work", "--pidfile=p"});
	EXPECT_EQ("/work/p", criu::pidfile_path(inv));
	inv = criu::parse_invocation({"criu", "restore", "--pidfile", "/abs/p"});
	EXPECT_EQ("/abs/p", criu::pidfile_path(inv));
}

TEST(Criu, PolicyFileRoundTrip)
{
	std::vector<criu::Record> records = {
	    {100, {true, true, false}, false},
	    {101, {true, true, true}, true},
	    {102, {false, false, false}, false},
	    {103, {true, false, false}, false},
	};
	std::string text = criu::format_records(records);
	EXPECT_EQ(0u, text.find("# sysmap-policy 1\n"));
	EXPECT_NE(std::string::npos, text.find("\n100 sealed seal no running\n"));
	EXPECT_NE(std::string::npos, text.find("\n101 sealed seal yes stopped\n"));
	EXPECT_NE(std::string::npos, text.find("\n102 unsealed unseal no running\n"));
	std::istringstream in(text);
	EXPECT_EQ(records, criu::parse_records(in));
	std::istringstream none(criu::format_records({}));
	EXPECT_TRUE(criu::parse_records(none).empty());
}

TEST(Criu, PolicyFileErrorsNameTheLine)
{
	auto error_of = [](const std::string &text) {
		std::istringstream in(text);
		try {
			criu::parse_records(in);
		} catch (const std::invalid_argument &e) {
			return std::string(e.what());
		}
		return std::string("(no error)");
	};
	const std::string head = "# sysmap-policy 1\n";
	EXPECT_EQ("the file is empty", error_of(""));
	EXPECT_EQ("line 1: not a sysmap-policy file of version 1 (its first line is '# sysmap-policy 2')",
	          error_of("# sysmap-policy 2\n1 sealed seal no running\n"));
	EXPECT_EQ("line 3: expected 5 fields: PID IMAGE POLICY LOCKED STATE", error_of(head + "\n1 sealed seal no\n"));
	EXPECT_EQ("line 2: expected 5 fields: PID IMAGE POLICY LOCKED STATE",
	          error_of(head + "1 sealed seal no running extra\n"));
	EXPECT_EQ("line 2: '-1' is not a process ID", error_of(head + "-1 sealed seal no running\n"));
	EXPECT_EQ("line 2: POLICY is 'sealed', not seal or unseal", error_of(head + "1 sealed sealed no running\n"));
	EXPECT_EQ("line 2: a locked policy must seal", error_of(head + "1 sealed unseal yes running\n"));
	EXPECT_EQ("line 3: process 1 is listed twice",
	          error_of(head + "1 sealed seal no running\n1 sealed seal no stopped\n"));
	// Comments and blank lines anywhere after the header.
	EXPECT_EQ("(no error)", error_of(head + "# a comment\n\n  7 unsealed unseal no running  \n"));
}

TEST(Criu, RestoreFlagsPutTheRecordBack)
{
	EXPECT_EQ(kFlagSeal | kFlagImage, criu::restore_flags({1, {true, true, false}, false}));
	EXPECT_EQ(kFlagSeal | kFlagLock | kFlagImage, criu::restore_flags({1, {true, true, true}, false}));
	EXPECT_EQ(0u, criu::restore_flags({1, {false, false, false}, false}));
	// Opted out after its execve() sealed it: the image is sealed again, the policy stays.
	EXPECT_EQ(kFlagImage, criu::restore_flags({1, {true, false, false}, false}));
}

TEST(Cli, Seal)
{
	auto o = cli::parse({"seal", "12", "--tree", "34", "--lock", "-v"});
	EXPECT_EQ(cli::Command::Seal, o.command);
	EXPECT_EQ((std::vector<pid_t>{12, 34}), o.pids);
	EXPECT_TRUE(o.tree);
	EXPECT_TRUE(o.lock);
	EXPECT_TRUE(o.verbose);
	EXPECT_FALSE(o.seal); // --lock of seal does not touch exec's policy option
	EXPECT_THROW(cli::parse({"seal"}), cli::UsageError);
	EXPECT_THROW(cli::parse({"seal", "x"}), cli::UsageError);
	EXPECT_THROW(cli::parse({"seal", "--unseal", "1"}), cli::UsageError);
	EXPECT_EQ(cli::kUsage, cli::usage_status(cli::Command::Seal));
}

TEST(Cli, Criu)
{
	auto o = cli::parse({"criu", "--", "criu", "dump", "-t", "1", "--help"});
	EXPECT_EQ(cli::Command::Criu, o.command);
	EXPECT_FALSE(o.help); // criu's own
	EXPECT_EQ((std::vector<std::string>{"criu", "dump", "-t", "1", "--help"}), o.program);
	o = cli::parse({"criu", "criu", "restore", "-d"});
	EXPECT_EQ((std::vector<std::string>{"criu", "restore", "-d"}), o.program);
	EXPECT_THROW(cli::parse({"criu"}), cli::UsageError);
	EXPECT_EQ(cli::kExecFailed, cli::usage_status(cli::Command::Criu));
}
