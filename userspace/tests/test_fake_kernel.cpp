// libsysmap against the stand-in kernel, in this process: fake_prctl.c is
// linked into this program, so its prctl() takes the place of the C
// library's for the library's calls too. It follows the ABI of
// prctl(PR_MSEAL_SYSTEM_MAPPINGS) to the letter, non-zero unused arguments
// included (EINVAL), so a call made the wrong way fails a test.
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/prctl.h>
#include <unistd.h>

#include "sysmap/policy.hpp"
#include "sysmap/sysmap.h"

extern "C" {
int sysmap_c89_without_feature(void);
int sysmap_c89_seal_image_keeps_the_policy(void);
int sysmap_c89_opt_out(void);
}

using namespace sysmap;

namespace
{

constexpr const char *kVars[] = {"SYSMAP_FAKE_FLAGS",  "SYSMAP_FAKE_OPTOUT", "SYSMAP_FAKE_CAP",
                                 "SYSMAP_FAKE_SHARED", "SYSMAP_FAKE_EINTR",  "SYSMAP_FAKE_LOG"};

// Each test starts on a kernel without the feature and with a fresh log of
// the calls that reach it (all but GET).
class FakeKernel : public testing::Test
{
protected:
	void SetUp() override
	{
		for (const char *v : kVars)
			unsetenv(v);
		log_ = testing::TempDir() + "/fake-kernel-" + std::to_string(getpid()) + ".log";
		std::filesystem::remove(log_);
		setenv("SYSMAP_FAKE_LOG", log_.c_str(), 1);
	}
	void TearDown() override
	{
		for (const char *v : kVars)
			unsetenv(v);
		std::filesystem::remove(log_);
	}

	static void kernel(unsigned long flags) { setenv("SYSMAP_FAKE_FLAGS", std::to_string(flags).c_str(), 1); }
	static void set(const char *var, const char *value) { setenv(var, value, 1); }
	static unsigned long flags() { return std::strtoul(std::getenv("SYSMAP_FAKE_FLAGS"), nullptr, 0); }

	std::string calls() const
	{
		std::ifstream f(log_);
		std::stringstream ss;
		ss << f.rdbuf();
		return ss.str();
	}

	template <typename Fn> static PolicyError::Kind error_of(Fn fn)
	{
		try {
			fn();
		} catch (const PolicyError &e) {
			return e.kind();
		}
		ADD_FAILURE() << "no PolicyError";
		return PolicyError::Kind::Other;
	}

private:
	std::string log_;
};

// The raw call, every argument an unsigned long as the kernel reads it.
int raw(unsigned long op, unsigned long a3 = 0, unsigned long a4 = 0, unsigned long a5 = 0)
{
	return prctl(PR_MSEAL_SYSTEM_MAPPINGS, op, a3, a4, a5);
}

} // namespace

// The stand-in itself, so that the tests below mean something: it refuses
// what the kernel refuses, in the kernel's order.
TEST_F(FakeKernel, StandInFollowsTheAbi)
{
	kernel(kFlagSeal);
	errno = 0;
	EXPECT_EQ(1, raw(PR_MSEAL_SYSMAP_GET));
	for (auto [a3, a4, a5] : {std::tuple{1UL, 0UL, 0UL}, {0UL, 1UL, 0UL}, {0UL, 0UL, 1UL}}) {
		EXPECT_EQ(-1, raw(PR_MSEAL_SYSMAP_GET, a3, a4, a5));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, raw(PR_MSEAL_SYSMAP_SEAL_IMAGE, a3, a4, a5));
		EXPECT_EQ(EINVAL, errno);
	}
	for (auto [a4, a5] : {std::pair{1UL, 0UL}, {0UL, 1UL}}) {
		EXPECT_EQ(-1, raw(PR_MSEAL_SYSMAP_SET, kFlagSeal, a4, a5));
		EXPECT_EQ(EINVAL, errno);
	}
	for (unsigned long policy : {kFlagImage, kFlagSeal | kFlagImage, kFlagLock, 8UL}) {
		EXPECT_EQ(-1, raw(PR_MSEAL_SYSMAP_SET, policy));
		EXPECT_EQ(EINVAL, errno) << policy;
	}
	for (unsigned long op : {0UL, 4UL, 0x4d534c53UL}) {
		EXPECT_EQ(-1, raw(op));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(kFlagSeal, flags()) << "nothing changed";
	// The policy in force: 0 at once, even shared or locked.
	set("SYSMAP_FAKE_SHARED", "1");
	EXPECT_EQ(0, raw(PR_MSEAL_SYSMAP_SET, kFlagSeal));
	EXPECT_EQ(-1, raw(PR_MSEAL_SYSMAP_SET, kFlagSeal | kFlagLock));
	EXPECT_EQ(EBUSY, errno);
	kernel(kFlagSeal | kFlagLock);
	EXPECT_EQ(-1, raw(PR_MSEAL_SYSMAP_SET, kFlagSeal)); // EPERM (locked) comes before EBUSY
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, raw(PR_MSEAL_SYSMAP_SEAL_IMAGE));
	EXPECT_EQ(EBUSY, errno);
	kernel(kFlagSeal | kFlagLock | kFlagImage);
	EXPECT_EQ(0, raw(PR_MSEAL_SYSMAP_SEAL_IMAGE)); // sealed already
	// Opting out, by level.
	unsetenv("SYSMAP_FAKE_SHARED");
	for (auto [level, cap, err] : {std::tuple{"0", "0", 0}, {"1", "0", EPERM}, {"1", "1", 0}, {"2", "1", EPERM}}) {
		kernel(kFlagSeal);
		set("SYSMAP_FAKE_OPTOUT", level);
		set("SYSMAP_FAKE_CAP", cap);
		errno = 0;
		EXPECT_EQ(err ? -1 : 0, raw(PR_MSEAL_SYSMAP_SET, 0));
		EXPECT_EQ(err, errno) << level << cap;
	}
	unsetenv("SYSMAP_FAKE_FLAGS");
	EXPECT_EQ(-1, raw(PR_MSEAL_SYSMAP_GET));
	EXPECT_EQ(EINVAL, errno);
}

// A kernel that answers EINVAL to GET does not have the feature.
TEST_F(FakeKernel, EinvalFromGetIsUnsupported)
{
	EXPECT_FALSE(kernel_supports_sealing());
	using K = PolicyError::Kind;
	EXPECT_EQ(K::Unsupported, error_of([] { get_policy_state(); }));
	EXPECT_EQ(K::Unsupported, error_of([] { get_policy(); }));
	EXPECT_EQ(K::Unsupported, error_of([] { seal_image(); }));
	EXPECT_EQ(K::Unsupported, error_of([] { set_policy({true, false}); }));
	EXPECT_EQ(K::Unsupported, error_of([] { set_policy({true, false}, true); }));
	EXPECT_EQ(K::Unsupported, error_of([] { ensure_policy({true, false}); }));
	try {
		get_policy_state();
	} catch (const PolicyError &e) {
		EXPECT_EQ(EINVAL, e.error_number());
		EXPECT_NE(std::string::npos, std::string(e.what()).find("CONFIG_MSEAL_SYSTEM_MAPPINGS")) << e.what();
	}
}

TEST_F(FakeKernel, GetSplitsPolicyAndImage)
{
	kernel(kFlagSeal | kFlagLock | kFlagImage);
	EXPECT_TRUE(kernel_supports_sealing());
	EXPECT_EQ((PolicyState{{true, true}, true}), get_policy_state());
	kernel(kFlagSeal);
	EXPECT_EQ((PolicyState{{true, false}, false}), get_policy_state());
	kernel(kFlagImage);
	EXPECT_EQ((PolicyState{{false, false}, true}), get_policy_state());
	EXPECT_EQ("", calls());
}

// Sealing the image is one SEAL_IMAGE call, which leaves the policy as it
// is, whatever it is.
TEST_F(FakeKernel, SealImageIsACallOfItsOwn)
{
	for (Policy p : {Policy{false, false}, Policy{true, false}, Policy{true, true}}) {
		SetUp();
		kernel(p.flags());
		seal_image();
		EXPECT_EQ("SEAL_IMAGE ok\n", calls());
		EXPECT_EQ((PolicyState{p, true}), get_policy_state());
	}
}

TEST_F(FakeKernel, SealImageWhenSealedSucceeds)
{
	kernel(kFlagSeal | kFlagLock | kFlagImage);
	seal_image();
	EXPECT_EQ((PolicyState{{true, true}, true}), get_policy_state());
}

TEST_F(FakeKernel, SealImageOnASharedAddressSpaceIsBusy)
{
	kernel(kFlagSeal);
	set("SYSMAP_FAKE_SHARED", "1");
	try {
		seal_image();
		FAIL() << "no error";
	} catch (const PolicyError &e) {
		EXPECT_EQ(PolicyError::Kind::Busy, e.kind());
		EXPECT_EQ(EBUSY, e.error_number());
		EXPECT_NE(std::string::npos, std::string(e.what()).find("vfork")) << e.what();
	}
	EXPECT_EQ(kFlagSeal, flags());
}

TEST_F(FakeKernel, InterruptedCallsAreRetried)
{
	kernel(0);
	set("SYSMAP_FAKE_EINTR", "2");
	seal_image();
	EXPECT_EQ("SEAL_IMAGE EINTR\nSEAL_IMAGE EINTR\nSEAL_IMAGE ok\n", calls());
	set("SYSMAP_FAKE_EINTR", "1");
	set_policy({true, false});
	EXPECT_EQ((PolicyState{{true, false}, true}), get_policy_state());
}

// set_policy() with seal_image: SET, then SEAL_IMAGE.
TEST_F(FakeKernel, SetPolicyAndSealImageIsSetThenSealImage)
{
	kernel(0);
	set_policy({true, false}, true);
	EXPECT_EQ("SET 1 ok\nSEAL_IMAGE ok\n", calls());
	EXPECT_EQ((PolicyState{{true, false}, true}), get_policy_state());

	SetUp();
	kernel(0);
	set_policy({true, true}, true); // sealing the image is allowed under the lock just set
	EXPECT_EQ("SET 3 ok\nSEAL_IMAGE ok\n", calls());
	EXPECT_EQ((PolicyState{{true, true}, true}), get_policy_state());
}

TEST_F(FakeKernel, SetPolicyAloneLeavesTheImage)
{
	kernel(0);
	set_policy({true, false});
	EXPECT_EQ("SET 1 ok\n", calls());
	EXPECT_EQ((PolicyState{{true, false}, false}), get_policy_state());
	set("SYSMAP_FAKE_CAP", "1");
	kernel(kFlagSeal | kFlagImage);
	set_policy({false, false});
	EXPECT_EQ((PolicyState{{false, false}, true}), get_policy_state()); // sealing is not undone
}

TEST_F(FakeKernel, RefusedSetSealsNothing)
{
	kernel(kFlagSeal | kFlagLock);
	EXPECT_EQ(PolicyError::Kind::Locked, error_of([] { set_policy({false, false}, true); }));
	EXPECT_EQ("SET 0 EPERM\n", calls());
	EXPECT_EQ((PolicyState{{true, true}, false}), get_policy_state());

	SetUp();
	kernel(kFlagSeal);
	EXPECT_EQ(PolicyError::Kind::NotPermitted, error_of([] { set_policy({false, false}, true); }));
	EXPECT_EQ("SET 0 EPERM\n", calls());
}

// The policy in force needs no change, so SET succeeds on a shared address
// space; SEAL_IMAGE then does not, and the policy stays.
TEST_F(FakeKernel, SetThenBusySealImage)
{
	kernel(kFlagSeal);
	set("SYSMAP_FAKE_SHARED", "1");
	EXPECT_EQ(PolicyError::Kind::Busy, error_of([] { set_policy({true, false}, true); }));
	EXPECT_EQ("SET 1 ok\nSEAL_IMAGE EBUSY\n", calls());
	EXPECT_EQ(kFlagSeal, flags());
}

// ensure_policy() sets a policy and never seals the image.
TEST_F(FakeKernel, EnsurePolicyOnlySets)
{
	kernel(0);
	EXPECT_TRUE(ensure_policy({true, true}));
	EXPECT_EQ("SET 3 ok\n", calls());
	EXPECT_EQ((PolicyState{{true, true}, false}), get_policy_state());
	EXPECT_FALSE(ensure_policy({true, false})); // a lock that seals is stronger
	EXPECT_EQ("SET 3 ok\n", calls());
}

TEST_F(FakeKernel, CHeaderWithoutTheFeature)
{
	EXPECT_EQ(0, sysmap_c89_without_feature()) << "line";
}

TEST_F(FakeKernel, CHeaderSealImageKeepsThePolicy)
{
	kernel(kFlagSeal);
	EXPECT_EQ(0, sysmap_c89_seal_image_keeps_the_policy()) << "line";
	EXPECT_EQ("SEAL_IMAGE ok\nSEAL_IMAGE ok\nSET 5 EINVAL\nSET 2 EINVAL\nSET 3 ok\nSET 3 ok\nSET 0 "
	          "EPERM\nSEAL_IMAGE ok\n",
	          calls());
}

TEST_F(FakeKernel, CHeaderOptOut)
{
	kernel(kFlagSeal | kFlagImage);
	set("SYSMAP_FAKE_OPTOUT", "0");
	EXPECT_EQ(0, sysmap_c89_opt_out()) << "line";
	EXPECT_EQ("SET 0 ok\n", calls());
}
