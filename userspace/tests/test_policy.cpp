#include <cerrno>
#include <gtest/gtest.h>

#include "sysmap/policy.hpp"

using namespace sysmap;

TEST(Policy, FlagsRoundTrip)
{
	for (unsigned long f : {0UL, kFlagSeal, kFlagSeal | kFlagLock})
		EXPECT_EQ(f, Policy::from_flags(f).flags());
	EXPECT_EQ(1UL, kFlagSeal);
	EXPECT_EQ(2UL, kFlagLock);
}

TEST(Policy, EpermOnOptOutNamesTheCapability)
{
	auto e = policy_error(EPERM, Policy{false, false});
	EXPECT_EQ(PolicyError::Kind::NotPermitted, e.kind());
	EXPECT_EQ(EPERM, e.error_number());
	EXPECT_NE(std::string::npos, std::string(e.what()).find("CAP_CHECKPOINT_RESTORE"));
}

TEST(Policy, EpermOnSealMeansLocked)
{
	auto e = policy_error(EPERM, Policy{true, false});
	EXPECT_EQ(PolicyError::Kind::Locked, e.kind());
	EXPECT_NE(std::string::npos, std::string(e.what()).find("locked"));
}

TEST(Policy, EinvalMeansUnsupportedNotBadArgument)
{
	auto e = policy_error(EINVAL, Policy{true, false});
	EXPECT_EQ(PolicyError::Kind::Unsupported, e.kind());
	EXPECT_NE(std::string::npos, std::string(e.what()).find("CONFIG_MSEAL_SYSTEM_MAPPINGS"));
}

TEST(Policy, LockWithoutSealRefusedBeforeTheKernel)
{
	try {
		set_policy(Policy{false, true});
		FAIL() << "no error";
	} catch (const PolicyError &e) {
		EXPECT_EQ(PolicyError::Kind::Invalid, e.kind());
	}
}
