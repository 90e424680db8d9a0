#include <gtest/gtest.h>
#include <sstream>

#include "cli.hpp"

using namespace sysmap::cli;
using sysmap::cols::Col;

namespace
{

Options p(std::vector<std::string> a)
{
	return parse(a);
}

// The message of the UsageError that parsing `a` throws, and its command.
std::pair<std::string, Command> error_of(std::vector<std::string> a)
{
	try {
		parse(a);
	} catch (const UsageError &e) {
		return {e.what(), e.command()};
	}
	return {"(no error)", Command::None};
}

} // namespace

TEST(Cli, Status)
{
	auto o = p({"status", "--json", "1", "42"});
	EXPECT_EQ(Command::Status, o.command);
	EXPECT_TRUE(o.json);
	EXPECT_EQ((std::vector<pid_t>{1, 42}), o.pids);
}

TEST(Cli, StatusOptionsAnywhereAndPidLists)
{
	auto o = p({"status", "7", "-p", "1,2", "--pid=3", "-rn", "-o", "PID,sealed"});
	EXPECT_EQ((std::vector<pid_t>{1, 2, 3, 7}), o.pids);
	EXPECT_TRUE(o.raw);
	EXPECT_TRUE(o.noheadings);
	EXPECT_EQ("PID,sealed", o.output);
}

TEST(Cli, ExecUnseal)
{
	auto o = p({"exec", "--unseal", "--", "criu", "restore", "--unseal"});
	EXPECT_EQ(Command::Exec, o.command);
	ASSERT_TRUE(o.seal);
	EXPECT_FALSE(*o.seal);
	EXPECT_FALSE(o.lock);
	// Everything after "--" belongs to the program, options included.
	EXPECT_EQ((std::vector<std::string>{"criu", "restore", "--unseal"}), o.program);
}

TEST(Cli, ExecStopsAtTheProgram)
{
	auto o = p({"exec", "--seal", "--lock", "sh", "-c", "true", "--help"});
	ASSERT_TRUE(o.seal);
	EXPECT_TRUE(*o.seal);
	EXPECT_TRUE(o.lock);
	EXPECT_FALSE(o.help);
	EXPECT_EQ((std::vector<std::string>{"sh", "-c", "true", "--help"}), o.program);
}

TEST(Cli, LockImpliesSeal)
{
	auto o = p({"exec", "--lock", "--", "true"});
	ASSERT_TRUE(o.seal);
	EXPECT_TRUE(*o.seal);
}

TEST(Cli, ExecWithoutPolicyLeavesItAlone)
{
	auto o = p({"exec", "--", "true"});
	EXPECT_FALSE(o.seal);
	EXPECT_FALSE(o.lock);
}

TEST(Cli, AuditAndCheck)
{
	auto a = p({"audit", "--fail-on-unsealed", "-J", "-v", "--all", "-p", "5"});
	EXPECT_EQ(Command::Audit, a.command);
	EXPECT_TRUE(a.fail_on_unsealed);
	EXPECT_TRUE(a.json);
	EXPECT_TRUE(a.verbose);
	EXPECT_TRUE(a.all);
	EXPECT_EQ((std::vector<pid_t>{5}), a.pids);
	EXPECT_EQ(Command::Check, p({"check"}).command);
	EXPECT_TRUE(p({"check", "--json"}).json);
}

TEST(Cli, HelpAndVersionEverywhere)
{
	EXPECT_TRUE(p({"--help"}).help);
	EXPECT_TRUE(p({"-h"}).help);
	EXPECT_TRUE(p({"-V"}).version);
	EXPECT_TRUE(p({"--version"}).version);
	for (const char *cmd : {"status", "exec", "audit", "check"}) {
		auto h = p({cmd, "-h"});
		EXPECT_TRUE(h.help) << cmd;
		EXPECT_EQ(std::string(cmd), name(h.command));
		EXPECT_TRUE(p({cmd, "--version"}).version) << cmd;
	}
	auto h = p({"help", "audit"});
	EXPECT_TRUE(h.help);
	EXPECT_EQ(Command::Audit, h.command);
}

TEST(Cli, HelpTextsComeFromTheOptionTables)
{
	EXPECT_NE(std::string::npos, usage(Command::Exec).find("--unseal"));
	EXPECT_NE(std::string::npos, usage(Command::None).find("audit"));
	for (auto c : {Command::Status, Command::Audit}) {
		auto u = usage(c);
		for (const char *opt : {"-o, --output <list>", "--list-columns", "-J, --json", "-r, --raw",
		                        "-n, --noheadings", "-p, --pid <pid[,...]>", "-h, --help", "-V, --version"})
			EXPECT_NE(std::string::npos, u.find(opt)) << opt << " in\n" << u;
	}
	EXPECT_NE(std::string::npos, usage(Command::Audit).find("--fail-on-unsealed"));
	for (auto c : {Command::None, Command::Status, Command::Exec, Command::Audit, Command::Check}) {
		std::istringstream lines(usage(c));
		for (std::string line; std::getline(lines, line);)
			EXPECT_LE(line.size(), 80u) << line;
	}
	EXPECT_NE(std::string::npos, usage(Command::Audit).find("-v, --verbose"));
}

TEST(Cli, Errors)
{
	EXPECT_THROW(p({}), UsageError);
	EXPECT_THROW(p({"frobnicate"}), UsageError);
	EXPECT_THROW(p({"--bogus"}), UsageError);
	EXPECT_THROW(p({"exec", "--unseal"}), UsageError);
	EXPECT_THROW(p({"exec", "--seal", "--unseal", "--", "true"}), UsageError);
	EXPECT_THROW(p({"exec", "--unseal", "--lock", "--", "true"}), UsageError);
	EXPECT_THROW(p({"status", "12x"}), UsageError);
	EXPECT_THROW(p({"status", "-p", "0"}), UsageError);
	EXPECT_THROW(p({"status", "-o"}), UsageError);
	EXPECT_THROW(p({"status", "-o", "PID,NOPE"}), UsageError);
	EXPECT_THROW(p({"audit", "-o", "SEALED"}), UsageError); // a mapping column
	EXPECT_THROW(p({"status", "-J", "-r"}), UsageError);
	EXPECT_THROW(p({"status", "-o", "PID", "-O"}), UsageError);
	EXPECT_THROW(p({"audit", "--unseal"}), UsageError);
	EXPECT_THROW(p({"check", "extra"}), UsageError);
	EXPECT_THROW(p({"check", "-r"}), UsageError);
	EXPECT_THROW(p({"help", "nothing"}), UsageError);
}

TEST(Cli, ErrorMessagesNameTheMistake)
{
	auto [msg, cmd] = error_of({"audit", "--bogus"});
	EXPECT_EQ(Command::Audit, cmd);
	EXPECT_NE(std::string::npos, msg.find("--bogus")) << msg;
	EXPECT_NE(std::string::npos, error_of({"status", "-x"}).first.find("-x"));
	EXPECT_NE(std::string::npos, error_of({"status", "--output"}).first.find("--output"));
	EXPECT_NE(std::string::npos, error_of({"status", "-o", "NOPE"}).first.find("NOPE"));
	auto excl = error_of({"exec", "--seal", "--unseal", "true"}).first;
	EXPECT_NE(std::string::npos, excl.find("--seal and --unseal")) << excl;
	EXPECT_EQ(Command::None, error_of({"nothing"}).second);
}

// Bug 5: exec follows env(1): 125 when sysmapctl itself fails, its usage
// errors included, so that they never look like the program's own status.
TEST(Cli, ExecUsageErrorsAre125)
{
	EXPECT_EQ(125, usage_status(Command::Exec));
	EXPECT_EQ(Command::Exec, error_of({"exec", "--bogus", "true"}).second);
	EXPECT_EQ(2, usage_status(Command::Status));
	EXPECT_EQ(2, usage_status(Command::None));
	EXPECT_EQ(125, kExecFailed);
	EXPECT_EQ(126, kCannotExec);
	EXPECT_EQ(127, kNotFound);
}

TEST(Cli, Columns)
{
	using sysmap::cols::parse_list;
	using sysmap::cols::Scope;
	EXPECT_EQ((std::vector<Col>{Col::Pid, Col::Sealed}), parse_list("pid,SEALED", {}, Scope::Mapping));
	EXPECT_EQ((std::vector<Col>{Col::Mapping, Col::Flags}), parse_list("+flags", {Col::Mapping}, Scope::Mapping));
	EXPECT_THROW(parse_list("", {}, Scope::Mapping), std::invalid_argument);
	EXPECT_THROW(parse_list("PID,", {}, Scope::Mapping), std::invalid_argument);
	EXPECT_THROW(parse_list("SEALED", {}, Scope::Process), std::invalid_argument);
	auto raw = p({"status", "-r"});
	EXPECT_EQ(Col::Pid, default_columns(Command::Status, raw).front());
	EXPECT_EQ(Col::Mapping, default_columns(Command::Status, p({"status"})).front());
}

// Issue 24, 9: an argument to an option that takes none, and an ambiguous
// abbreviation, were both "does not take option".
TEST(Cli, LongOptionErrorsSayWhatIsWrong)
{
	auto msg = error_of({"exec", "--unseal=1", "true"}).first;
	EXPECT_EQ("option '--unseal' doesn't allow an argument", msg);
	msg = error_of({"audit", "--fail-on-unsealed=yes"}).first;
	EXPECT_EQ("option '--fail-on-unsealed' doesn't allow an argument", msg);
	msg = error_of({"audit", "--v"}).first;
	EXPECT_EQ("option '--v' is ambiguous; possibilities: '--verbose' '--version'", msg);
	msg = error_of({"audit", "--bogus"}).first;
	EXPECT_EQ("'audit' does not take option '--bogus'", msg);
	// An unambiguous abbreviation is the option.
	EXPECT_NO_THROW(p({"audit", "--verb"}));
}

// Issue 24 (util-linux conventions): a blank line before -h and -V, and
// the columns listed in the help of the commands that take -o.
TEST(Cli, HelpHasTheLayoutOfUtilLinux)
{
	for (auto c : {Command::Status, Command::Exec, Command::Audit, Command::Seal}) {
		auto u = usage(c);
		EXPECT_NE(std::string::npos, u.find("\n\n -h, --help")) << u;
	}
	auto status = usage(Command::Status);
	EXPECT_NE(std::string::npos, status.find("\nAvailable output columns:\n")) << status;
	EXPECT_NE(std::string::npos, status.find(" SEALED ")) << status;
	auto audit = usage(Command::Audit);
	EXPECT_NE(std::string::npos, audit.find(" VERDICT ")) << audit;
	EXPECT_EQ(std::string::npos, audit.find(" SEALED ")) << "a mapping column in audit's help";
	EXPECT_EQ(std::string::npos, usage(Command::Check).find("Available output columns")) << "check takes no -o";
}

// Issue 24, conventions: util-linux's -O/--output-all, -u/--notruncate and
// -H for --list-columns.
TEST(Cli, OutputAllNotruncateListColumns)
{
	auto o = p({"status", "-O", "-u", "1"});
	EXPECT_TRUE(o.output_all);
	EXPECT_TRUE(o.notruncate);
	EXPECT_TRUE(p({"audit", "-H"}).list_columns);
	EXPECT_TRUE(p({"audit", "--output-all"}).output_all);
	auto all = all_columns(Command::Audit, p({"audit", "-O"}));
	EXPECT_EQ(sysmap::cols::Col::Command, all.back()) << "COMMAND last";
	EXPECT_EQ(11u, all.size()) << "every process column";
	auto raw = all_columns(Command::Status, p({"status", "-O", "-r"}));
	EXPECT_EQ(sysmap::cols::Col::Pid, raw.front());
	EXPECT_EQ(8u, raw.size()) << "PID and every mapping column";
	EXPECT_NE("(no error)", error_of({"status", "-o", "PID", "-O"}).first);
	EXPECT_EQ("(no error)", error_of({"audit", "-J", "-O"}).first) << "-J holds every field with -O";
}
