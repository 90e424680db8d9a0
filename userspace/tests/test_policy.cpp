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
	EXPECT_EQ(4UL, kFlagImage);
	// GET also reports the image bit; it is no part of the policy (SET refuses it).
	EXPECT_EQ((Policy{true, true}), Policy::from_flags(kFlagSeal | kFlagLock | kFlagImage));
}

// Bug 1: "exec --seal" under a policy locked to seal failed with EPERM,
// because it asked the kernel for a change and a locked policy refuses any.
TEST(Policy, NoChangeNeededForWhatIsInForce)
{
	const Policy unseal{false, false}, seal{true, false}, locked{true, true};
	EXPECT_FALSE(policy_change(locked, seal));   // weaker than a lock that seals
	EXPECT_FALSE(policy_change(locked, locked)); // the same
	EXPECT_FALSE(policy_change(seal, seal));
	EXPECT_FALSE(policy_change(unseal, unseal)); // an opt-out in force needs no capability
}

TEST(Policy, ChangesThatReachTheKernel)
{
	const Policy unseal{false, false}, seal{true, false}, locked{true, true};
	EXPECT_EQ(kFlagSeal | kFlagLock, policy_change(seal, locked));
	EXPECT_EQ(kFlagSeal | kFlagLock, policy_change(unseal, locked));
	EXPECT_EQ(kFlagSeal, policy_change(unseal, seal));
	EXPECT_EQ(0UL, policy_change(seal, unseal));
	// Unsealing a locked policy is the kernel's to refuse (EPERM), with its reason.
	EXPECT_EQ(0UL, policy_change(locked, unseal));
}

// At vm.mseal_sysmap_optout = 2 every execve() seals: an opt-out cannot be
// in force, even when the policy already says unseal.
TEST(Policy, NoOptOutAtLevelTwo)
{
	const Policy unseal{false, false}, seal{true, false};
	for (const Policy &current : {unseal, seal}) {
		try {
			policy_change(current, unseal, 2);
			FAIL() << "no error";
		} catch (const PolicyError &e) {
			EXPECT_EQ(PolicyError::Kind::OptOutDisabled, e.kind());
		}
	}
	EXPECT_FALSE(policy_change(seal, seal, 2));
	EXPECT_FALSE(policy_change(unseal, unseal, 1));
	EXPECT_EQ(0UL, policy_change(seal, unseal, 0));
}

TEST(Policy, EpermOnOptOutNamesTheCapability)
{
	auto e = set_error(EPERM, Policy{false, false}, Policy{true, false}, 1);
	EXPECT_EQ(PolicyError::Kind::NotPermitted, e.kind());
	EXPECT_EQ(EPERM, e.error_number());
	EXPECT_NE(std::string::npos, std::string(e.what()).find("CAP_CHECKPOINT_RESTORE"));
}

TEST(Policy, EpermUnderALockSaysLocked)
{
	auto e = set_error(EPERM, Policy{false, false}, Policy{true, true}, 0);
	EXPECT_EQ(PolicyError::Kind::Locked, e.kind());
	EXPECT_NE(std::string::npos, std::string(e.what()).find("locked"));
}

TEST(Policy, EpermWithOptOutDisabled)
{
	auto e = set_error(EPERM, Policy{false, false}, Policy{true, false}, 2);
	EXPECT_EQ(PolicyError::Kind::OptOutDisabled, e.kind());
	EXPECT_NE(std::string::npos, std::string(e.what()).find("mseal_sysmap_optout"));
}

TEST(Policy, EbusyMeansSharedAddressSpace)
{
	auto e = set_error(EBUSY, Policy{false, false}, Policy{true, false}, 1);
	EXPECT_EQ(PolicyError::Kind::Busy, e.kind());
	EXPECT_NE(std::string::npos, std::string(e.what()).find("vfork"));
}

TEST(Policy, EinvalMeansUnsupportedOnlyWithoutTheFeature)
{
	auto e = set_error(EINVAL, Policy{true, false}, std::nullopt, std::nullopt);
	EXPECT_EQ(PolicyError::Kind::Unsupported, e.kind());
	EXPECT_NE(std::string::npos, std::string(e.what()).find("CONFIG_MSEAL_SYSTEM_MAPPINGS"));
	// With the feature, EINVAL is a request the kernel does not understand.
	EXPECT_EQ(PolicyError::Kind::Invalid, set_error(EINVAL, Policy{true, false}, Policy{}, 1).kind());
}

TEST(Policy, LockWithoutSealRefusedBeforeTheKernel)
{
	for (auto fn : {+[] { set_policy(Policy{false, true}); }, +[] { ensure_policy(Policy{false, true}); }}) {
		try {
			fn();
			FAIL() << "no error";
		} catch (const PolicyError &e) {
			EXPECT_EQ(PolicyError::Kind::Invalid, e.kind());
		}
	}
}
