#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "sysmap/procfs.hpp"

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

TEST(Proc, ReadsOwnProcess)
{
	auto p = read_process(getpid(), true);
	EXPECT_EQ(getpid(), p.pid);
	EXPECT_FALSE(p.kernel_thread);
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

TEST(Proc, FakeProcRootWithKernelThreadAndVanishingProcess)
{
	std::string root = testing::TempDir() + "/fakeproc";
	std::filesystem::remove_all(root);
	std::filesystem::create_directories(root + "/2");
	std::filesystem::create_directories(root + "/77");
	std::ofstream(root + "/2/status") << "Name:\tkthreadd\nUid:\t0\t0\t0\t0\n";
	std::ofstream(root + "/2/cmdline") << "";
	std::ofstream(root + "/77/status") << "Name:\tcriu\nUid:\t1000\t1000\t1000\t1000\nVmSize:\t100 kB\n"
	                                      "Mseal_sysmap:\timage=unsealed policy=unseal locked=no\n";
	std::ofstream(root + "/77/cmdline") << std::string("criu\0restore\0-D\0/tmp/img", 24);
	std::filesystem::create_directories(root + "/90");
	std::ofstream(root + "/90/status") << "Name:\tdefunct\nState:\tZ (zombie)\nUid:\t0\t0\t0\t0\n";
	std::filesystem::create_directories(root + "/91");
	std::ofstream(root + "/91/status")
	    << "Name:\tx\nVmSize:\t1 kB\nMseal_sysmap:\timage=huh policy=seal locked=no\n";
	auto k = read_process(2, true, root);
	EXPECT_TRUE(k.kernel_thread);
	EXPECT_EQ("[kthreadd]", k.cmdline);
	auto c = read_process(77, false, root);
	EXPECT_FALSE(c.kernel_thread);
	EXPECT_EQ(1000u, c.uid);
	EXPECT_EQ("criu restore -D /tmp/img", c.cmdline);
	ASSERT_TRUE(c.state);
	EXPECT_FALSE(c.state->policy_seal);
	EXPECT_EQ((std::vector<pid_t>{2, 77, 90, 91}), list_pids(root));
	auto z = read_process(90, false, root);
	EXPECT_TRUE(z.zombie);
	EXPECT_FALSE(z.kernel_thread);
	// A status line this version cannot read is an error for that process
	// only, and says what to do.
	try {
		read_process(91, false, root);
		FAIL() << "no error for a malformed Mseal_sysmap: line";
	} catch (const ProcError &e) {
		EXPECT_EQ(ProcError::Kind::Other, e.kind());
		EXPECT_NE(std::string::npos, std::string(e.what()).find("Update sysmapctl"));
	}
	// status read, smaps gone: the process exited between the two reads.
	try {
		read_process(77, true, root);
		FAIL() << "no error for a process that vanished";
	} catch (const ProcError &e) {
		EXPECT_EQ(ProcError::Kind::Gone, e.kind());
	}
}

TEST(Proc, FindMappingInOwnProcess)
{
	auto stack = find_mapping(0, "[stack]");
	ASSERT_TRUE(stack);
	EXPECT_LT(stack->start, stack->end);
	EXPECT_FALSE(find_mapping(0, "[no such mapping]"));
	EXPECT_THROW(find_mapping(0x3fffffff, "[stack]"), ProcError);
}
