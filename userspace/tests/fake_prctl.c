/*
 * A stand-in for a kernel with PR_{GET,SET}_MSEAL_SYSTEM_MAPPINGS, preloaded
 * (LD_PRELOAD) into sysmapctl by the unit tests, so that its policy logic
 * runs against the ABI's rules on any machine. The state lives in the
 * environment, which execve() carries to the next image:
 *
 *   SYSMAP_FAKE_FLAGS   the flags GET returns (unset: no such prctl, EINVAL)
 *   SYSMAP_FAKE_OPTOUT  vm.mseal_sysmap_optout (default 1)
 *   SYSMAP_FAKE_CAP     1 if the process has CAP_CHECKPOINT_RESTORE
 *   SYSMAP_FAKE_LOG     a file that gets one line per SET call
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GET 0x4d534c47
#define SET 0x4d534c53
#define SEAL 1UL
#define LOCK 2UL
#define IMAGE 4UL

static void store(unsigned long flags)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", flags);
	setenv("SYSMAP_FAKE_FLAGS", buf, 1);
}

static int env_int(const char *name, int fallback)
{
	const char *v = getenv(name);

	return v ? atoi(v) : fallback;
}

static int set(unsigned long flags, unsigned long a3, unsigned long a4, unsigned long a5)
{
	unsigned long cur = strtoul(getenv("SYSMAP_FAKE_FLAGS"), NULL, 0);
	unsigned long policy = cur & (SEAL | LOCK), wanted = flags & (SEAL | LOCK);
	int level = env_int("SYSMAP_FAKE_OPTOUT", 1);

	if (a3 || a4 || a5 || (flags & ~(SEAL | LOCK | IMAGE)) || ((flags & LOCK) && !(flags & SEAL)))
		return EINVAL;
	if (wanted != policy) {
		if (policy & LOCK)
			return EPERM;
		if ((policy & SEAL) && !(wanted & SEAL) &&
		    (level == 2 || (level == 1 && !env_int("SYSMAP_FAKE_CAP", 0))))
			return EPERM;
	}
	store(wanted | (cur & IMAGE) | (flags & IMAGE));
	return 0;
}

int prctl(int option, ...)
{
	unsigned long a[4];
	va_list ap;
	int err;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option != GET && option != SET)
		return (int)syscall(SYS_prctl, option, a[0], a[1], a[2], a[3]);
	if (!getenv("SYSMAP_FAKE_FLAGS")) {
		errno = EINVAL;
		return -1;
	}
	if (option == GET) {
		if (a[0] || a[1] || a[2] || a[3]) {
			errno = EINVAL;
			return -1;
		}
		return (int)strtoul(getenv("SYSMAP_FAKE_FLAGS"), NULL, 0);
	}
	err = set(a[0], a[1], a[2], a[3]);
	if (getenv("SYSMAP_FAKE_LOG")) {
		FILE *log = fopen(getenv("SYSMAP_FAKE_LOG"), "a");

		if (log) {
			fprintf(log, "SET %lu %s\n", a[0], err == EPERM ? "EPERM" : err == EINVAL ? "EINVAL" : "ok");
			fclose(log);
		}
	}
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* A new image: sealed if and only if the policy it was executed under seals. */
__attribute__((constructor)) static void exec_image(void)
{
	const char *v = getenv("SYSMAP_FAKE_FLAGS");

	if (v) {
		unsigned long flags = strtoul(v, NULL, 0) & (SEAL | LOCK);

		store(flags | ((flags & SEAL) ? IMAGE : 0));
	}
}
