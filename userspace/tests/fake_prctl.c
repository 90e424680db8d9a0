/*
 * A stand-in for a kernel with prctl(PR_MSEAL_SYSTEM_MAPPINGS), following
 * the ABI to the letter: the sub-operations GET, SET and SEAL_IMAGE, the
 * order of their checks and every errno, non-zero unused arguments
 * included (EINVAL). Preloaded (LD_PRELOAD) into sysmapctl by test_tool.cpp,
 * and linked into sysmap_fake_kernel_tests, so that the policy logic runs
 * against the ABI's rules on any machine. Every other prctl() option goes
 * to the real kernel. The state lives in the environment, which execve()
 * carries to the next image:
 *
 *   SYSMAP_FAKE_FLAGS   what GET returns: the policy (SEAL 1, LOCK 2) and
 *                       IMAGE (4) if the image is sealed; unset: a kernel
 *                       without the feature (EINVAL for every call)
 *   SYSMAP_FAKE_OPTOUT  vm.mseal_sysmap_optout (default 1)
 *   SYSMAP_FAKE_CAP     1 if the process has CAP_CHECKPOINT_RESTORE (or
 *                       CAP_SYS_ADMIN) in the initial user namespace
 *   SYSMAP_FAKE_SHARED  1 if another process shares the address space
 *   SYSMAP_FAKE_EINTR   how many of the next calls that take the mmap lock
 *                       fail with EINTR (a fatal signal while waiting)
 *   SYSMAP_FAKE_LOG     a file that gets one line per call other than GET:
 *                       "SET <policy> <result>", "SEAL_IMAGE <result>",
 *                       "OP <arg2> <result>" (an unknown sub-operation)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OPTION 82 /* PR_MSEAL_SYSTEM_MAPPINGS */
#define GET 1UL
#define SET 2UL
#define SEAL_IMAGE 3UL
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

/* EBUSY and EINTR, the errors of a call that changes the address space. */
static int take_mm(void)
{
	int eintr = env_int("SYSMAP_FAKE_EINTR", 0);

	if (env_int("SYSMAP_FAKE_SHARED", 0))
		return EBUSY;
	if (eintr > 0) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%d", eintr - 1);
		setenv("SYSMAP_FAKE_EINTR", buf, 1);
		return EINTR;
	}
	return 0;
}

static int set(unsigned long cur, unsigned long policy, unsigned long a4, unsigned long a5)
{
	unsigned long now = cur & (SEAL | LOCK);
	int level = env_int("SYSMAP_FAKE_OPTOUT", 1), err;

	if (a4 || a5 || (policy & ~(SEAL | LOCK)) || ((policy & LOCK) && !(policy & SEAL)))
		return EINVAL;
	if (policy == now)
		return 0;
	if (now & LOCK)
		return EPERM;
	if ((now & SEAL) && !(policy & SEAL) && (level == 2 || (level == 1 && !env_int("SYSMAP_FAKE_CAP", 0))))
		return EPERM;
	err = take_mm();
	if (!err)
		store(policy | (cur & IMAGE));
	return err;
}

static int seal_image(unsigned long cur, unsigned long a3, unsigned long a4, unsigned long a5)
{
	int err;

	if (a3 || a4 || a5)
		return EINVAL;
	if (cur & IMAGE)
		return 0;
	err = take_mm();
	if (!err)
		store(cur | IMAGE);
	return err;
}

static const char *result(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case EINVAL:
		return "EINVAL";
	case EPERM:
		return "EPERM";
	case EBUSY:
		return "EBUSY";
	case EINTR:
		return "EINTR";
	default:
		return "?";
	}
}

static void log_call(unsigned long op, unsigned long a3, int err)
{
	const char *path = getenv("SYSMAP_FAKE_LOG");
	FILE *log = path ? fopen(path, "a") : NULL;

	if (!log)
		return;
	if (op == SET)
		fprintf(log, "SET %lu %s\n", a3, result(err));
	else if (op == SEAL_IMAGE)
		fprintf(log, "SEAL_IMAGE %s\n", result(err));
	else
		fprintf(log, "OP %lu %s\n", op, result(err));
	fclose(log);
}

int prctl(int option, ...)
{
	unsigned long a[4], cur;
	const char *flags;
	va_list ap;
	int err, i;

	va_start(ap, option);
	for (i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if (option != OPTION)
		return (int)syscall(SYS_prctl, option, a[0], a[1], a[2], a[3]);
	flags = getenv("SYSMAP_FAKE_FLAGS");
	if (!flags) {
		errno = EINVAL;
		return -1;
	}
	cur = strtoul(flags, NULL, 0);
	if (a[0] == GET) {
		if (a[1] || a[2] || a[3]) {
			errno = EINVAL;
			return -1;
		}
		return (int)cur;
	}
	err = a[0] == SET          ? set(cur, a[1], a[2], a[3])
	      : a[0] == SEAL_IMAGE ? seal_image(cur, a[1], a[2], a[3])
	                           : EINVAL;
	log_call(a[0], a[1], err);
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
