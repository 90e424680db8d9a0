/*
 * <sysmap/sysmap.h> compiled as C99 (-pedantic), as CRIU or a container
 * runtime would, and its functions called. test_files.cpp runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sysmap/sysmap.h>

#define REQUIRE(cond)                                                                                                  \
	do {                                                                                                           \
		if (!(cond)) {                                                                                         \
			snprintf(msg, len, "%s:%d: %s (errno %d)", __FILE__, __LINE__, #cond, errno);                  \
			return 1;                                                                                      \
		}                                                                                                      \
	} while (0)

int sysmap_c_header_selftest(char *msg, size_t len)
{
	struct sysmap_state st;
	int flags, supported, level;

	REQUIRE(PR_MSEAL_SYSTEM_MAPPINGS == 82);
	REQUIRE(PR_MSEAL_SYSMAP_GET == 1 && PR_MSEAL_SYSMAP_SET == 2 && PR_MSEAL_SYSMAP_SEAL_IMAGE == 3);
	REQUIRE(PR_MSEAL_SYSMAP_SEAL == 1 && PR_MSEAL_SYSMAP_LOCK == 2 && PR_MSEAL_SYSMAP_IMAGE == 4);
	REQUIRE(strcmp(sysmap_version(), SYSMAP_VERSION) == 0);

	flags = sysmap_get_flags();
	supported = sysmap_supported();
	REQUIRE(supported == (flags >= 0));
	if (!supported) {
		REQUIRE(sysmap_image_sealed() == 0);
		REQUIRE(sysmap_opt_out() == 0); /* nothing is sealed: nothing to do */
		REQUIRE(sysmap_seal_image() == -1 && errno == EINVAL);
		REQUIRE(sysmap_read_state(0, &st) == -1 && errno == ENODATA);
		REQUIRE(sysmap_optout_level() == -1 && errno == ENOENT);
	} else {
		REQUIRE(sysmap_image_sealed() == ((flags & PR_MSEAL_SYSMAP_IMAGE) != 0));
		REQUIRE(sysmap_read_state(0, &st) == 0);
		REQUIRE(st.image_sealed == ((flags & PR_MSEAL_SYSMAP_IMAGE) != 0));
		REQUIRE(st.policy_seal == ((flags & PR_MSEAL_SYSMAP_SEAL) != 0));
		level = sysmap_optout_level();
		REQUIRE(level >= 0 && level <= 2);
	}
	/* IMAGE is no part of a policy: refused with or without the feature. */
	REQUIRE(sysmap_set_flags(PR_MSEAL_SYSMAP_SEAL | PR_MSEAL_SYSMAP_IMAGE) == -1 && errno == EINVAL);
	REQUIRE(sysmap_read_state(-1, &st) == -1 && errno == EINVAL);
	REQUIRE(sysmap_read_state(0x3fffffff, &st) == -1 && errno == ESRCH);
	REQUIRE(sysmap_read_state(0, NULL) == -1 && errno == EINVAL);
	return 0;
}
