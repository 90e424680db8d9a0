/*
 * <sysmap/sysmap.h>: sealing of system mappings (vDSO, vvar, vsyscall,
 * uprobes, sigpage, vectors) at execve(), for C programs such as
 * checkpoint/restore tools, record/replay debuggers and container runtimes.
 * Documented in libsysmap(3).
 *
 * The inline helpers below need no library: they are thin wrappers around
 * prctl(2). The functions declared after them are in libsysmap
 * (pkg-config --cflags --libs sysmap).
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

/* The kernel ABI; <linux/prctl.h> has these only on a patched kernel's headers. */
#ifndef PR_GET_MSEAL_SYSTEM_MAPPINGS
#define PR_GET_MSEAL_SYSTEM_MAPPINGS 0x4d534c47
#endif
#ifndef PR_SET_MSEAL_SYSTEM_MAPPINGS
#define PR_SET_MSEAL_SYSTEM_MAPPINGS 0x4d534c53
#endif
#ifndef PR_MSEAL_SYSMAP_SEAL
#define PR_MSEAL_SYSMAP_SEAL (1UL << 0) /* future execve()s seal system mappings */
#endif
#ifndef PR_MSEAL_SYSMAP_LOCK
#define PR_MSEAL_SYSMAP_LOCK (1UL << 1) /* the policy can no longer change */
#endif
#ifndef PR_MSEAL_SYSMAP_IMAGE
#define PR_MSEAL_SYSMAP_IMAGE (1UL << 2) /* GET: this image is sealed; SET: seal it now */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The calling process's flags: PR_MSEAL_SYSMAP_SEAL, PR_MSEAL_SYSMAP_LOCK
 * and PR_MSEAL_SYSMAP_IMAGE. -1 with errno EINVAL on a kernel without the
 * feature.
 */
static inline int sysmap_get_flags(void)
{
	return prctl(PR_GET_MSEAL_SYSTEM_MAPPINGS, 0UL, 0UL, 0UL, 0UL);
}

/* 1 if the kernel seals system mappings at execve(), 0 if not, -1 on error. */
static inline int sysmap_supported(void)
{
	if (sysmap_get_flags() >= 0)
		return 1;
	return errno == EINVAL ? 0 : -1;
}

/*
 * 1 if the calling process's system mappings are sealed, 0 if not (or the
 * kernel cannot seal them), -1 on error.
 */
static inline int sysmap_image_sealed(void)
{
	int flags = sysmap_get_flags();

	if (flags < 0)
		return errno == EINVAL ? 0 : -1;
	return (flags & PR_MSEAL_SYSMAP_IMAGE) != 0;
}

/*
 * PR_SET_MSEAL_SYSTEM_MAPPINGS with the full new policy (SEAL, LOCK) and
 * optionally IMAGE, retried on EINTR. A locked policy refuses any change
 * (EPERM); an address space shared with another process refuses it too
 * (EBUSY).
 */
static inline int sysmap_set_flags(unsigned long flags)
{
	int ret;

	do
		ret = prctl(PR_SET_MSEAL_SYSTEM_MAPPINGS, flags, 0UL, 0UL, 0UL);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -1 : 0;
}

/*
 * Opt this process out: the programs it executes from now on, and their
 * descendants, run with unsealed system mappings. Needs
 * CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN unless vm.mseal_sysmap_optout is
 * 0 (EPERM otherwise, and always when the policy is locked or the sysctl
 * is 2). Does nothing if the process is opted out already. A kernel
 * without the feature seals nothing: that is success too.
 */
static inline int sysmap_opt_out(void)
{
	int flags = sysmap_get_flags();

	if (flags < 0)
		return errno == EINVAL ? 0 : -1;
	if (!(flags & PR_MSEAL_SYSMAP_SEAL))
		return 0;
	return sysmap_set_flags(0);
}

/*
 * Seal the calling process's system mappings now, e.g. once a restore tool
 * has moved them back into place; the policy stays as it is. Does nothing
 * if they are sealed already. Cannot be undone.
 */
static inline int sysmap_seal_image(void)
{
	int flags = sysmap_get_flags();

	if (flags < 0)
		return -1;
	if (flags & PR_MSEAL_SYSMAP_IMAGE)
		return 0;
	return sysmap_set_flags(((unsigned long)flags & (PR_MSEAL_SYSMAP_SEAL | PR_MSEAL_SYSMAP_LOCK)) |
	                        PR_MSEAL_SYSMAP_IMAGE);
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
