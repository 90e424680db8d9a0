// The files around sysmapctl: the C header, the man pages, the bash
// completion and the systemd examples.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.hpp"
#include "columns.hpp"

extern "C" int sysmap_c_header_selftest(char *msg, size_t len);

namespace
{

const std::string kSource = SYSMAP_SOURCE_DIR;

std::string slurp(const std::string &path)
{
	std::ifstream f(path);
	if (!f)
		throw std::runtime_error("cannot read " + path);
	std::stringstream ss;
	ss << f.rdbuf();
	return ss.str();
}

// Run a shell command; its exit status and what it printed (both streams).
std::pair<int, std::string> shell(const std::string &cmd)
{
	std::string out;
	FILE *p = popen((cmd + " 2>&1").c_str(), "r");
	if (!p)
		return {-1, "popen failed"};
	char buf[4096];
	while (std::size_t n = std::fread(buf, 1, sizeof(buf), p))
		out.append(buf, n);
	int status = pclose(p);
	return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, out};
}

bool have(const std::string &program)
{
	return shell("command -v " + program + " >/dev/null").first == 0;
}

std::string quote(const std::string &s)
{
	std::string out = "'";
	for (char c : s)
		out += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return out + "'";
}

} // namespace

TEST(CHeader, WorksFromC)
{
	char msg[256] = "";
	EXPECT_EQ(0, sysmap_c_header_selftest(msg, sizeof(msg))) << msg;
}

TEST(ManPages, Sections)
{
	std::string man = slurp(kSource + "/man/sysmapctl.1");
	for (const char *s : {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH EXIT STATUS",
	                      ".SH JSON OUTPUT", ".SH FILES", ".SH NOTES", ".SH EXAMPLES", ".SH SEE ALSO"})
		EXPECT_NE(std::string::npos, man.find(s)) << s;
	for (const char *s : {"hidepid", "PID namespace", "secure", "Mseal_sysmap:", "mseal_sysmap_optout", "125"})
		EXPECT_NE(std::string::npos, man.find(s)) << s;
	std::string lib = slurp(kSource + "/man/libsysmap.3");
	for (const char *s : {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH RETURN VALUE", ".SH ERRORS",
	                      ".SH EXAMPLES", "sysmap_opt_out", "sysmap_seal_image", "sysmap_image_sealed",
	                      "sysmap_read_state", "sysmap_optout_level", "pkg\\-config"})
		EXPECT_NE(std::string::npos, lib.find(s)) << s;
}

// Every column and every long option is documented.
TEST(ManPages, DocumentEveryColumnAndOption)
{
	std::string man = slurp(kSource + "/man/sysmapctl.1");
	for (const auto &c : sysmap::cols::all_columns())
		EXPECT_NE(std::string::npos, man.find(".B " + std::string(c.name) + "\n")) << c.name;
	for (auto cmd : {sysmap::cli::Command::Status, sysmap::cli::Command::Exec, sysmap::cli::Command::Audit,
	                 sysmap::cli::Command::Check}) {
		std::string help = sysmap::cli::usage(cmd);
		for (std::size_t at = help.find("--"); at != std::string::npos; at = help.find("--", at + 2)) {
			std::size_t end = help.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", at + 2);
			std::string opt = help.substr(at, end - at);
			if (opt == "--")
				continue;
			std::string roff;
			for (char c : opt)
				roff += c == '-' ? std::string("\\-") : std::string(1, c);
			EXPECT_NE(std::string::npos, man.find(roff)) << opt << " undocumented";
		}
	}
}

TEST(ManPages, RenderWithoutWarnings)
{
	if (!have("groff"))
		GTEST_SKIP() << "groff is not installed";
	for (const char *page : {"man/sysmapctl.1", "man/libsysmap.3"}) {
		auto [rc, out] = shell("LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 " + quote(kSource + "/" + page));
		EXPECT_EQ(0, rc) << page;
		EXPECT_EQ("", out) << page;
	}
}

TEST(Completion, CompletesCommandsOptionsAndColumns)
{
	if (!have("bash"))
		GTEST_SKIP() << "bash is not installed";
	// The completion asks sysmapctl for its columns: use the one just built.
	std::string bin = std::filesystem::path(SYSMAPCTL_PATH).parent_path();
	auto complete = [&](const std::string &line) {
		std::string script =
		    "PATH=" + quote(bin) + ":$PATH; source " + quote(kSource + "/completion/sysmapctl") +
		    "; COMP_WORDS=(" + line + "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); " +
		    "COMP_LINE=\"${COMP_WORDS[*]}\"; _sysmapctl sysmapctl; printf '%s\\n' \"${COMPREPLY[@]}\"";
		return shell("bash -c " + quote(script));
	};
	auto [rc, out] = complete("sysmapctl ''");
	EXPECT_EQ(0, rc) << out;
	for (const char *w : {"status\n", "exec\n", "audit\n", "check\n"})
		EXPECT_NE(std::string::npos, out.find(w)) << out;
	std::tie(rc, out) = complete("sysmapctl audit --f");
	EXPECT_EQ("--fail-on-unsealed\n", out);
	std::tie(rc, out) = complete("sysmapctl exec --");
	EXPECT_NE(std::string::npos, out.find("--unseal\n")) << out;
	std::tie(rc, out) = complete("sysmapctl status -o SE");
	EXPECT_EQ("SEALED\n", out);
	std::tie(rc, out) = complete("sysmapctl audit --output PID,");
	EXPECT_NE(std::string::npos, out.find("PID,VERDICT\n")) << out;
	EXPECT_EQ(std::string::npos, out.find("SEALED")) << "audit has no mapping columns: " << out;
}

// The systemd examples are valid units (systemd-analyze verify).
TEST(SystemdExamples, Verify)
{
	if (!have("systemd-analyze"))
		GTEST_SKIP() << "systemd-analyze is not installed (Debian: systemd)";
	std::string dir = testing::TempDir() + "/sysmap-units-" + std::to_string(getpid());
	std::filesystem::remove_all(dir);
	std::filesystem::create_directories(dir);
	for (const char *unit : {"sysmap-unsealed-example.service", "sysmap-locked-example.service"}) {
		std::string text = slurp(kSource + "/examples/" + unit);
		// The examples name /usr/bin/sysmapctl; verify checks that the
		// program exists, so point them at the one just built.
		const std::string installed = "/usr/bin/sysmapctl";
		ASSERT_NE(std::string::npos, text.find("ExecStart=" + installed + " exec ")) << unit;
		for (std::size_t at; (at = text.find(installed)) != std::string::npos;)
			text.replace(at, installed.size(), SYSMAPCTL_PATH);
		std::ofstream(dir + "/" + unit) << text;
		auto [rc, out] =
		    shell("SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no " + quote(dir + "/" + unit));
		EXPECT_EQ(0, rc) << unit << ":\n" << out;
		EXPECT_EQ("", out) << unit;
	}
	std::filesystem::remove_all(dir);
}

TEST(SystemdExamples, SayWhatTheyShow)
{
	std::string unsealed = slurp(kSource + "/examples/sysmap-unsealed-example.service");
	EXPECT_NE(std::string::npos, unsealed.find("AmbientCapabilities=CAP_CHECKPOINT_RESTORE"));
	EXPECT_NE(std::string::npos, unsealed.find("sysmapctl exec --unseal -- "));
	std::string locked = slurp(kSource + "/examples/sysmap-locked-example.service");
	EXPECT_NE(std::string::npos, locked.find("sysmapctl exec --seal --lock -- "));
}
