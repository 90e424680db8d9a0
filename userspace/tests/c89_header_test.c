/*
 * <sysmap/sysmap.h> compiled as strict C89 (-std=c89 -pedantic), and its
 * inline wrappers run against the stand-in kernel (fake_prctl.c) that
 * test_fake_kernel.cpp links in and puts in the state each function names.
 * Each returns 0, or the line of the first check that failed.
 */
#include <errno.h>

#include <sysmap/sysmap.h>

#define REQUIRE(cond)                                                                                                  \
	do {                                                                                                           \
		if (!(cond))                                                                                           \
			return __LINE__;                                                                               \
	} while (0)

/* A kernel without the feature: EINVAL for every call. */
int sysmap_c89_without_feature(void)
{
	REQUIRE(sysmap_get_flags() == -1 && errno == EINVAL);
	REQUIRE(sysmap_supported() == 0);
	REQUIRE(sysmap_image_sealed() == 0);
	REQUIRE(sysmap_opt_out() == 0); /* nothing is sealed: nothing to do */
	REQUIRE(sysmap_set_flags(PR_MSEAL_SYSMAP_SEAL) == -1 && errno == EINVAL);
	REQUIRE(sysmap_seal_image() == -1 && errno == EINVAL);
	return 0;
}

/* Policy SEAL, image unsealed (a process restored by criu, opted out, then set to seal). */
int sysmap_c89_seal_image_keeps_the_policy(void)
{
	REQUIRE(sysmap_supported() == 1);
	REQUIRE(sysmap_get_flags() == (int)PR_MSEAL_SYSMAP_SEAL);
	REQUIRE(sysmap_image_sealed() == 0);
	REQUIRE(sysmap_seal_image() == 0);
	REQUIRE(sysmap_image_sealed() == 1);
	REQUIRE(sysmap_get_flags() == (int)(PR_MSEAL_SYSMAP_SEAL | PR_MSEAL_SYSMAP_IMAGE));
	REQUIRE(sysmap_seal_image() == 0); /* sealed already */
	/* SET takes a policy only: IMAGE, or a lock without SEAL, is EINVAL. */
	REQUIRE(sysmap_set_flags(PR_MSEAL_SYSMAP_SEAL | PR_MSEAL_SYSMAP_IMAGE) == -1 && errno == EINVAL);
	REQUIRE(sysmap_set_flags(PR_MSEAL_SYSMAP_LOCK) == -1 && errno == EINVAL);
	REQUIRE(sysmap_set_flags(PR_MSEAL_SYSMAP_SEAL | PR_MSEAL_SYSMAP_LOCK) == 0);
	REQUIRE(sysmap_get_flags() == (int)(PR_MSEAL_SYSMAP_SEAL | PR_MSEAL_SYSMAP_LOCK | PR_MSEAL_SYSMAP_IMAGE));
	REQUIRE(sysmap_set_flags(PR_MSEAL_SYSMAP_SEAL | PR_MSEAL_SYSMAP_LOCK) == 0); /* the same: no change */
	REQUIRE(sysmap_opt_out() == -1 && errno == EPERM);                           /* locked */
	REQUIRE(sysmap_seal_image() == 0);                                           /* allowed under a lock */
	return 0;
}

/* Policy SEAL, image sealed, vm.mseal_sysmap_optout 0. */
int sysmap_c89_opt_out(void)
{
	REQUIRE(sysmap_opt_out() == 0);
	REQUIRE(sysmap_get_flags() == (int)PR_MSEAL_SYSMAP_IMAGE); /* the image stays sealed */
	REQUIRE(sysmap_opt_out() == 0);                            /* opted out already */
	return 0;
}
