/*
 * <sysmap/sysmap.h>: sealing of system mappings (vDSO, vvar, vsyscall,
 * uprobes, sigpage, vectors) at execve(), for C programs such as
 * checkpoint/restore tools, record/replay debuggers and container runtimes.
 * Documented in libsysmap(3).
 *
 * The inline helpers below need no library: they are thin wrappers around
 * prctl(2). The functions declared after them are in libsysmap
 * (pkg-config --cflags --libs sysmap; --static for libsysmap.a).
 *
 * The header is C89: C89 compilers get the helpers as static functions, C99
 * and later (and C++) as static inline ones.
 *
 * All functions return -1 and set errno on failure, like the system calls
 * they wrap; EINVAL from sysmap_get_flags() means the kernel does not seal
 * system mappings (no CONFIG_MSEAL_SYSTEM_MAPPINGS).
 */
#ifndef SYSMAP_SYSMAP_H
#define SYSMAP_SYSMAP_H

#include <errno.h>
#include <sys/prctl.h>
#include <sys/types.h>

#include <sysmap/version.h>

/*
 * The kernel ABI; <linux/prctl.h> has these only on a patched kernel's headers.
 * One prctl(2) option with three operations, each of whose unused arguments
 * must be 0:
 *
 *   prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_GET, 0, 0, 0)
 *   prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SET, policy, 0, 0)
 *   prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_SEAL_IMAGE, 0, 0, 0)
 */
#ifndef PR_MSEAL_SYSTEM_MAPPINGS
#define PR_MSEAL_SYSTEM_MAPPINGS 82
#endif
#ifndef PR_MSEAL_SYSMAP_GET
#define PR_MSEAL_SYSMAP_GET 1 /* the policy, and whether this image is sealed */
#endif
#ifndef PR_MSEAL_SYSMAP_SET
#define PR_MSEAL_SYSMAP_SET 2 /* set the policy (SEAL, LOCK) for future execve()s */
#endif
#ifndef PR_MSEAL_SYSMAP_SEAL_IMAGE
#define PR_MSEAL_SYSMAP_SEAL_IMAGE 3 /* seal this image's system mappings now */
#endif
#ifndef PR_MSEAL_SYSMAP_SEAL
#define PR_MSEAL_SYSMAP_SEAL (1UL << 0) /* GET, SET: future execve()s seal system mappings */
#endif
#ifndef PR_MSEAL_SYSMAP_LOCK
#define PR_MSEAL_SYSMAP_LOCK (1UL << 1) /* GET, SET: the policy can no longer change */
#endif
#ifndef PR_MSEAL_SYSMAP_IMAGE
#define PR_MSEAL_SYSMAP_IMAGE (1UL << 2) /* GET only: this image's system mappings are sealed */
#endif

/* "static inline" where the language has it: C99, C++, or GNU C89. */
#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define SYSMAP_INLINE static inline
#elif defined(__GNUC__)
#define SYSMAP_INLINE static __inline__
#else
#define SYSMAP_INLINE static
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * PR_MSEAL_SYSMAP_GET: the calling process's policy (PR_MSEAL_SYSMAP_SEAL,
 * PR_MSEAL_SYSMAP_LOCK), plus PR_MSEAL_SYSMAP_IMAGE when its running image's
 * system mappings are sealed. -1 with errno EINVAL on a kernel without the
 * feature.
 */
SYSMAP_INLINE int sysmap_get_flags(void)
{
	return prctl(PR_MSEAL_SYSTEM_MAPPINGS, (unsigned long)PR_MSEAL_SYSMAP_GET, 0UL, 0UL, 0UL);
}

/* 1 if the kernel seals system mappings at execve(), 0 if not, -1 on error. */
SYSMAP_INLINE int sysmap_supported(void)
{
	if (sysmap_get_flags() >= 0)
		return 1;
	return errno == EINVAL ? 0 : -1;
}

/*
 * 1 if the calling process's system mappings are sealed, 0 if not (or the
 * kernel cannot seal them), -1 on error.
 */
SYSMAP_INLINE int sysmap_image_sealed(void)
{
	int flags = sysmap_get_flags();

	if (flags < 0)
		return errno == EINVAL ? 0 : -1;
	return (flags & PR_MSEAL_SYSMAP_IMAGE) != 0;
}

/*
 * PR_MSEAL_SYSMAP_SET: the full new policy, PR_MSEAL_SYSMAP_SEAL and
 * optionally PR_MSEAL_SYSMAP_LOCK (or 0 to opt out), for the programs the
 * process executes from now on; retried on EINTR. The running image stays
 * as it is: sysmap_seal_image() seals it. EINVAL for any other bit
 * (PR_MSEAL_SYSMAP_IMAGE included) or a lock without SEAL. Setting the
 * policy in force succeeds at once; otherwise a locked policy refuses any
 * change (EPERM), so does turning sealing off without the privilege
 * vm.mseal_sysmap_optout asks (EPERM), and so does an address space shared
 * with another process (EBUSY).
 */
SYSMAP_INLINE int sysmap_set_flags(unsigned long policy)
{
	int ret;

	do
		ret = prctl(PR_MSEAL_SYSTEM_MAPPINGS, (unsigned long)PR_MSEAL_SYSMAP_SET, policy, 0UL, 0UL);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -1 : 0;
}

/*
 * Opt this process out: the programs it executes from now on, and their
 * descendants, run with unsealed system mappings. Needs
 * CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN unless vm.mseal_sysmap_optout is
 * 0 (EPERM otherwise, and always when the policy is locked or the sysctl
 * is 2). Does nothing if the process is opted out already, at any level:
 * a process that opted out before the sysctl was raised to 2 keeps its
 * policy, but the kernel seals every program it executes all the same
 * (sysmap_optout_level() tells). A kernel without the feature seals
 * nothing: that is success too.
 */
SYSMAP_INLINE int sysmap_opt_out(void)
{
	int flags = sysmap_get_flags();

	if (flags < 0)
		return errno == EINVAL ? 0 : -1;
	if (!(flags & PR_MSEAL_SYSMAP_SEAL))
		return 0;
	return sysmap_set_flags(0UL);
}

/*
 * PR_MSEAL_SYSMAP_SEAL_IMAGE: seal the calling process's system mappings
 * now (and those it maps later, such as [uprobes]), e.g. once a restore
 * tool has moved them back into place; retried on EINTR. The policy stays
 * as it is, and a locked one does not stand in the way; no privilege is
 * needed. Does nothing if they are sealed already. Cannot be undone.
 * EINVAL on a kernel without the feature; EBUSY while the address space is
 * shared with another process.
 */
SYSMAP_INLINE int sysmap_seal_image(void)
{
	int ret;

	do
		ret = prctl(PR_MSEAL_SYSTEM_MAPPINGS, (unsigned long)PR_MSEAL_SYSMAP_SEAL_IMAGE, 0UL, 0UL, 0UL);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -1 : 0;
}

/* The state of a process, from the "Mseal_sysmap:" line of /proc/PID/status. */
struct sysmap_state {
	int image_sealed; /* 1: this image's system mappings are sealed */
	int policy_seal;  /* 1: the images it executes will be sealed */
	int locked;       /* 1: the policy can no longer change */
};

/*
 * Read the state of process `pid` (0: the caller) from /proc/PID/status,
 * which any user may read. 0 on success; -1 with errno ESRCH (no such
 * process), EACCES (hidden, e.g. by hidepid), ENODATA (no such line: a
 * kernel without the feature, a kernel thread, a zombie or an exiting
 * task) or EPROTO (a line this version cannot parse).
 */
int sysmap_read_state(pid_t pid, struct sysmap_state *state);

/*
 * vm.mseal_sysmap_optout: 0 (any process may opt itself out), 1 (needs
 * CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN), 2 (nobody may); -1 with errno
 * ENOENT on a kernel without the feature.
 */
int sysmap_optout_level(void);

/* The version of libsysmap in use, e.g. "0.1.0" (SYSMAP_VERSION is the headers'). */
const char *sysmap_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SYSMAP_SYSMAP_H */
