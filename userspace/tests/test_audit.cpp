#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "cli.hpp"
#include "report.hpp"
#include "sysmap/audit.hpp"
#include "temp_dir.hpp"

using namespace sysmap;

namespace
{

class FakeProc
{
public:
	explicit FakeProc(const std::string &name) : dir_(name) {}
	const std::string &root() const { return dir_.path(); }

	void add(pid_t pid, char state, unsigned long flags, const std::string &status_extra)
	{
		std::string dir = dir_ / std::to_string(pid);
		std::filesystem::create_directories(dir);
		std::ofstream(dir + "/stat") << pid << " (p" << pid << ") " << state << " 1 1 1 0 -1 " << flags
		                             << " 0 0 0 0 0 0 0 0 20 0 1 0 1000 0 0\n";
		std::ofstream(dir + "/status") << "Name:\tp" << pid << "\nState:\t" << state << "\nUid:\t0\t0\t0\t0\n"
		                               << status_extra;
		std::ofstream(dir + "/cmdline") << "p" << pid;
	}

private:
	TempDir dir_;
};

const std::string kMm = "VmSize:\t100 kB\n";

std::string line(const char *image, const char *policy)
{
	return kMm + "Mseal_sysmap:\timage=" + image + " policy=" + policy + " locked=no\n";
}

const AuditEntry *entry(const AuditResult &r, pid_t pid)
{
	for (const auto &e : r.entries)
		if (e.pid == pid)
			return &e;
	return nullptr;
}

} // namespace

TEST(Audit, Verdicts)
{
	FakeProc fp("audit-verdicts");
	fp.add(10, 'S', 0, line("sealed", "seal"));
	fp.add(11, 'S', 0, line("unsealed", "unseal"));
	fp.add(12, 'S', 0, line("sealed", "unseal"));
	fp.add(13, 'S', 0x00200000, "");
	fp.add(14, 'Z', 0, "");
	auto r = audit({}, fp.root());
	EXPECT_EQ(3u, r.checked);
	EXPECT_EQ(2u, r.unsealed);
	EXPECT_EQ(2u, r.none);
	EXPECT_EQ(0u, r.unknown);
	EXPECT_EQ(Verdict::Sealed, entry(r, 10)->verdict);
	EXPECT_EQ(Verdict::Unsealed, entry(r, 11)->verdict);
	EXPECT_EQ(Verdict::OptedOut, entry(r, 12)->verdict);
	EXPECT_EQ(Verdict::None, entry(r, 13)->verdict);
	EXPECT_EQ(Verdict::None, entry(r, 14)->verdict);
	EXPECT_EQ(cli::kFinding, report::audit_status(r, true));
	EXPECT_EQ(cli::kOk, report::audit_status(r, false));
}

// Bug 2: processes that could not be judged were skipped in silence, and
// "audit --fail-on-unsealed" passed.
TEST(Audit, UnjudgedProcessesAreCountedListedAndFail)
{
	FakeProc fp("audit-unknown");
	fp.add(20, 'S', 0, line("sealed", "seal"));
	fp.add(21, 'S', 0, kMm);                                                       // no Mseal_sysmap: line
	fp.add(22, 'S', 0, kMm + "Mseal_sysmap:\timage=what policy=seal locked=no\n"); // unparseable
	std::filesystem::remove(fp.root() + "/23");
	std::filesystem::create_directories(fp.root() + "/23/status"); // unreadable: a directory
	std::ofstream(fp.root() + "/23/stat") << "23 (p23) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1000 0 0\n";
	auto r = audit({}, fp.root());
	EXPECT_EQ(1u, r.checked);
	EXPECT_EQ(0u, r.unsealed);
	EXPECT_EQ(3u, r.unknown);
	for (pid_t pid : {21, 22, 23}) {
		const AuditEntry *e = entry(r, pid);
		ASSERT_TRUE(e) << pid;
		EXPECT_EQ(Verdict::Unknown, e->verdict) << pid;
		EXPECT_FALSE(e->reason.empty()) << pid;
	}
	EXPECT_NE(std::string::npos, entry(r, 21)->reason.find("Mseal_sysmap"));
	// Its own exit status, listed with --verbose, counted in the summary.
	EXPECT_EQ(cli::kIncomplete, report::audit_status(r, true));
	EXPECT_EQ(cli::kOk, report::audit_status(r, false));
	EXPECT_EQ(0u, report::audit_rows(r, false, false).size());
	EXPECT_EQ(3u, report::audit_rows(r, true, false).size());
	EXPECT_NE(std::string::npos, report::audit_summary(r, false).find("3 could not be judged"));
	// A finding outranks what could not be judged.
	fp.add(24, 'S', 0, line("unsealed", "unseal"));
	EXPECT_EQ(cli::kFinding, report::audit_status(audit({}, fp.root()), true));
}

TEST(Audit, ExplicitPidsAndVanishedOnes)
{
	FakeProc fp("audit-pids");
	fp.add(30, 'S', 0, line("sealed", "seal"));
	fp.add(31, 'S', 0, line("unsealed", "seal"));
	auto r = audit({31, 99}, fp.root());
	ASSERT_EQ(1u, r.entries.size());
	EXPECT_EQ(31, r.entries[0].pid);
	EXPECT_EQ((std::vector<pid_t>{99}), r.gone);
}

// At scale, the audit reads what it reports and no more: the status file of
// every process, the command line only of the processes it lists (all of
// them with --all), and stat only from kernels whose status lacks Kthread:.
TEST(Audit, ReadsCommandLinesOnlyOfListedProcesses)
{
	FakeProc fp("audit-lazy");
	fp.add(40, 'S', 0, line("sealed", "seal"));
	fp.add(41, 'S', 0, line("unsealed", "unseal"));
	// Unreadable command lines: reading either would make it Unknown.
	for (pid_t pid : {40, 41}) {
		std::filesystem::remove(fp.root() + "/" + std::to_string(pid) + "/cmdline");
		std::filesystem::create_directories(fp.root() + "/" + std::to_string(pid) + "/cmdline");
	}
	auto r = audit({}, fp.root());
	EXPECT_EQ(Verdict::Sealed, entry(r, 40)->verdict);
	EXPECT_EQ("", entry(r, 40)->process->cmdline);
	EXPECT_EQ(Verdict::Unknown, entry(r, 41)->verdict); // listed, so read, and unreadable
	auto all = audit({}, fp.root(), true);
	EXPECT_EQ(Verdict::Unknown, entry(all, 40)->verdict);
	fp.add(42, 'S', 0, line("unsealed", "unseal"));
	EXPECT_EQ("p42", entry(audit({42}, fp.root()), 42)->process->cmdline);
}

TEST(Audit, StatIsReadOnlyWithoutAKthreadLine)
{
	FakeProc fp("audit-kthread");
	fp.add(50, 'S', 0, "Kthread:\t0\n" + line("sealed", "seal"));
	fp.add(51, 'S', 0, "Kthread:\t1\n");
	fp.add(52, 'S', 0x00200000, ""); // older kernels: the flag in stat
	for (pid_t pid : {50, 51})
		std::filesystem::remove(fp.root() + "/" + std::to_string(pid) + "/stat");
	auto r = audit({}, fp.root());
	EXPECT_EQ(Verdict::Sealed, entry(r, 50)->verdict);
	EXPECT_EQ(Verdict::None, entry(r, 51)->verdict);
	EXPECT_EQ(Verdict::None, entry(r, 52)->verdict);
	EXPECT_EQ(0u, r.unknown);
}

namespace
{

// What a process CRIU restored through a vDSO proxy shows: its [vdso] and
// [vvar] sealed, an executable anonymous mapping (the proxy, sealed or
// not), and CRIU's mark (version 3: the proxy, a version, no dumped vvar,
// the runtime vvar) at the start of its [vdso], read through "mem"
// (sparse here, at that offset).
void add_restored(FakeProc &fp, pid_t pid, bool proxy_sealed)
{
	fp.add(pid, 'S', 0, line("sealed", "seal"));
	std::string dir = fp.root() + "/" + std::to_string(pid);
	std::ofstream(dir + "/smaps") << "10000000-10002000 r-xp 00000000 00:00 0 \n"
	                              << "VmFlags: rd ex mr mw me " << (proxy_sealed ? "sl " : "") << "\n"
	                              << "20000000-20004000 r--p 00000000 00:00 0                          [vvar]\n"
	                              << "VmFlags: rd mr pf io de dd sd sl \n"
	                              << "20004000-20006000 r-xp 00000000 00:00 0                          [vdso]\n"
	                              << "VmFlags: rd ex mr mw me de sd sl \n";
	const std::uint64_t mark[5] = {0x4f53447655495243ULL, 0x10000000ULL, 3, ~0ULL, 0x20000000ULL};
	std::ofstream mem(dir + "/mem", std::ios::binary);
	mem.seekp(0x20004000);
	mem.write(reinterpret_cast<const char *>(mark), sizeof(mark));
}

} // namespace

// Issue 21, 6: a process restored by CRIU through a vDSO proxy had its
// image sealed, so audit called it sealed while the code its C library
// calls could still be changed. With --proxies, the proxy is read and an
// unsealed one is a finding of its own, with the command that fixes it.
TEST(Audit, UnsealedVdsoProxyIsAFinding)
{
	FakeProc fp("audit-proxy");
	add_restored(fp, 50, false);
	add_restored(fp, 51, true);
	fp.add(52, 'S', 0, line("sealed", "seal"));
	std::ofstream(fp.root() + "/52/smaps") << "20004000-20006000 r-xp 00000000 00:00 0      [vdso]\n"
	                                       << "VmFlags: rd ex mr mw me de sd sl \n";
	auto r = audit({}, fp.root(), false, true);
	EXPECT_EQ(Verdict::ProxyUnsealed, entry(r, 50)->verdict);
	EXPECT_NE(std::string::npos, entry(r, 50)->reason.find("[vdso-proxy] at 0x10000000")) << entry(r, 50)->reason;
	EXPECT_NE(std::string::npos, entry(r, 50)->reason.find("sysmapctl seal 50")) << entry(r, 50)->reason;
	EXPECT_EQ(Verdict::Sealed, entry(r, 51)->verdict) << "its proxy is sealed";
	EXPECT_EQ(Verdict::Sealed, entry(r, 52)->verdict) << "no proxy at all";
	EXPECT_EQ(3u, r.checked);
	EXPECT_EQ(1u, r.unsealed);
	EXPECT_EQ(cli::kFinding, report::audit_status(r, true));
	EXPECT_NE(std::string::npos, report::audit_json(r, false).find("\"verdict\":\"proxy-unsealed\""));
	// Without --proxies only status is read: the proxy is not seen.
	EXPECT_EQ(Verdict::Sealed, entry(audit({}, fp.root()), 50)->verdict);
}

// With --proxies, a process whose mappings cannot be read cannot be
// called sealed: its proxy, if it has one, was not looked at.
TEST(Audit, ProxiesUnreadableMappingsAreUnknown)
{
	FakeProc fp("audit-proxy-denied");
	fp.add(60, 'S', 0, line("sealed", "seal"));
	std::filesystem::create_directories(fp.root() + "/60/smaps"); // unreadable: a directory
	auto r = audit({}, fp.root(), false, true);
	EXPECT_EQ(Verdict::Unknown, entry(r, 60)->verdict);
	EXPECT_NE(std::string::npos, entry(r, 60)->reason.find("no vDSO proxy check")) << entry(r, 60)->reason;
	EXPECT_EQ(cli::kIncomplete, report::audit_status(r, true));
}
