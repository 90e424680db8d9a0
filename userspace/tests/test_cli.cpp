#include <gtest/gtest.h>

#include "sysmap/cli.hpp"

using namespace sysmap::cli;

namespace
{
Options p(std::vector<std::string> a)
{
	return parse(a);
}
} // namespace

TEST(Cli, Status)
{
	auto o = p({"status", "--json", "1", "42"});
	EXPECT_EQ(Command::Status, o.command);
	EXPECT_TRUE(o.json);
	EXPECT_EQ((std::vector<pid_t>{1, 42}), o.pids);
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

TEST(Cli, ExecSealLockWithoutDashDash)
{
	auto o = p({"exec", "--seal", "--lock", "sh", "-c", "true"});
	ASSERT_TRUE(o.seal);
	EXPECT_TRUE(*o.seal);
	EXPECT_TRUE(o.lock);
	EXPECT_EQ((std::vector<std::string>{"sh", "-c", "true"}), o.program);
}

TEST(Cli, LockImpliesSeal)
{
	auto o = p({"exec", "--lock", "--", "true"});
	ASSERT_TRUE(o.seal);
	EXPECT_TRUE(*o.seal);
}

TEST(Cli, AuditAndCheck)
{
	auto a = p({"audit", "--fail-on-unsealed", "--json"});
	EXPECT_EQ(Command::Audit, a.command);
	EXPECT_TRUE(a.fail_on_unsealed);
	EXPECT_TRUE(a.json);
	EXPECT_EQ(Command::Check, p({"check"}).command);
}

TEST(Cli, HelpEverywhere)
{
	EXPECT_EQ(Command::Help, p({"--help"}).command);
	EXPECT_TRUE(p({"exec", "--help"}).help);
	EXPECT_NE(std::string::npos, usage(Command::Exec).find("--unseal"));
	EXPECT_NE(std::string::npos, usage(Command::Help).find("audit"));
}

TEST(Cli, ExecWithoutPolicyLeavesItAlone)
{
	auto o = p({"exec", "--", "true"});
	EXPECT_FALSE(o.seal);
	EXPECT_FALSE(o.lock);
}

TEST(Cli, Errors)
{
	EXPECT_THROW(p({}), UsageError);
	EXPECT_THROW(p({"frobnicate"}), UsageError);
	EXPECT_THROW(p({"exec", "--unseal"}), UsageError);
	EXPECT_THROW(p({"exec", "--seal", "--unseal", "--", "true"}), UsageError);
	EXPECT_THROW(p({"exec", "--unseal", "--lock", "--", "true"}), UsageError);
	EXPECT_THROW(p({"status", "12x"}), UsageError);
	EXPECT_THROW(p({"status", "-5"}), UsageError);
	EXPECT_THROW(p({"audit", "--unseal"}), UsageError);
	EXPECT_THROW(p({"check", "extra"}), UsageError);
}

TEST(Cli, ErrorMessagesSayWhatToDo)
{
	try {
		p({"audit", "--bogus"});
		FAIL();
	} catch (const UsageError &e) {
		EXPECT_NE(std::string::npos, std::string(e.what()).find("sysmapctl audit --help"));
	}
}
