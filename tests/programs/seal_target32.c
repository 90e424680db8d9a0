/*
 * The 32-bit twin of seal_target (spin and read modes): ia32, built by
 * scripts/build-selftests.sh with i686-linux-gnu-gcc -static, and AArch32,
 * built by scripts/build-cross-guest.sh with arm-linux-gnueabihf-gcc:
 *
 *   seal_target32 DIR spin   known values in every register, exit 99 if
 *                            one changes; a forked reporter writes DIR/counter
 *   seal_target32 DIR read   stdin lines to DIR/got ("error N" on failure)
 */
#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* In a shared page, so that a forked reporter sees it: no threads, whose
 * start-up in a static 32-bit program is more than this target needs. */
volatile unsigned long *sysmap_spin_counter;
volatile unsigned long sysmap_spin_esp;
void sysmap_spin_check(void) __attribute__((noreturn));

#if defined(__i386__)
__asm__(".text\n"
        ".globl sysmap_spin_check\n"
        "sysmap_spin_check:\n"
        "	movl %esp, sysmap_spin_esp\n"
        "	movl $0x11111111, %ebx\n"
        "	movl $0x22222222, %ecx\n"
        "	movl $0x33333333, %edx\n"
        "	movl $0x44444444, %esi\n"
        "	movl $0x55555555, %edi\n"
        "	movl $0x66666666, %ebp\n"
        "1:	movl sysmap_spin_counter, %eax\n"
        "	incl (%eax)\n"
        "	cmpl sysmap_spin_esp, %esp\n"
        "	jne 2f\n"
        "	cmpl $0x11111111, %ebx\n"
        "	jne 2f\n"
        "	cmpl $0x22222222, %ecx\n"
        "	jne 2f\n"
        "	cmpl $0x33333333, %edx\n"
        "	jne 2f\n"
        "	cmpl $0x44444444, %esi\n"
        "	jne 2f\n"
        "	cmpl $0x55555555, %edi\n"
        "	jne 2f\n"
        "	cmpl $0x66666666, %ebp\n"
        "	jne 2f\n"
        "	jmp 1b\n"
        "2:	movl $252, %eax\n" /* exit_group */
        "	movl $99, %ebx\n"
        "	int $0x80\n"
        "	hlt\n");
#elif defined(__arm__)
/* r4-r11 hold known values, sp must not move; r0-r3 are scratch. */
__asm__(".text\n"
        ".arm\n"
        ".globl sysmap_spin_check\n"
        "sysmap_spin_check:\n"
        "	ldr r0, =sysmap_spin_esp\n"
        "	mov r1, sp\n"
        "	str r1, [r0]\n"
        "	ldr r4, =0x11111111\n"
        "	ldr r5, =0x22222222\n"
        "	ldr r6, =0x33333333\n"
        "	ldr r7, =0x44444444\n"
        "	ldr r8, =0x55555555\n"
        "	ldr r9, =0x66666666\n"
        "	ldr r10, =0x77777777\n"
        "	ldr r11, =0x88888888\n"
        "1:	ldr r0, =sysmap_spin_counter\n"
        "	ldr r0, [r0]\n"
        "	ldr r1, [r0]\n"
        "	add r1, r1, #1\n"
        "	str r1, [r0]\n"
        "	ldr r0, =sysmap_spin_esp\n"
        "	ldr r0, [r0]\n"
        "	cmp r0, sp\n"
        "	bne 2f\n"
        "	ldr r0, =0x11111111\n"
        "	cmp r4, r0\n"
        "	bne 2f\n"
        "	ldr r0, =0x22222222\n"
        "	cmp r5, r0\n"
        "	bne 2f\n"
        "	ldr r0, =0x33333333\n"
        "	cmp r6, r0\n"
        "	bne 2f\n"
        "	ldr r0, =0x44444444\n"
        "	cmp r7, r0\n"
        "	bne 2f\n"
        "	ldr r0, =0x55555555\n"
        "	cmp r8, r0\n"
        "	bne 2f\n"
        "	ldr r0, =0x66666666\n"
        "	cmp r9, r0\n"
        "	bne 2f\n"
        "	ldr r0, =0x77777777\n"
        "	cmp r10, r0\n"
        "	bne 2f\n"
        "	ldr r0, =0x88888888\n"
        "	cmp r11, r0\n"
        "	bne 2f\n"
        "	b 1b\n"
        "2:	mov r0, #99\n"
        "	mov r7, #248\n" /* exit_group */
        "	svc #0\n"
        "	.ltorg\n");
#else
#error "seal_target32 is built for ia32 and AArch32 only"
#endif

static const char *dir;

static void write_atomically(const char *name, const char *text)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	rename(tmp, path);
}

static void reporter(void)
{
	char line[64];
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		snprintf(line, sizeof(line), "%lu 0\n", *sysmap_spin_counter);
		write_atomically("counter", line);
		usleep(50 * 1000);
	}
}

int main(int argc, char **argv)
{
	char line[256];
	if (argc != 3) {
		fprintf(stderr, "usage: seal_target32 DIR spin|read\n");
		return 2;
	}
	dir = argv[1];
	snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (!strcmp(argv[2], "spin")) {
		pid_t child;
		sysmap_spin_counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (sysmap_spin_counter == MAP_FAILED)
			return 1;
		child = fork();
		if (child < 0)
			return 1;
		if (child == 0)
			reporter();
		write_atomically("ready", line);
		sysmap_spin_check();
	}
	if (!strcmp(argv[2], "read")) {
		write_atomically("ready", line);
		for (;;) {
			ssize_t n = read(0, line, sizeof(line) - 1);
			if (n == 0)
				return 0;
			if (n < 0) {
				snprintf(line, sizeof(line), "error %d\n", errno);
				write_atomically("got", line);
				return 1;
			}
			line[n] = 0;
			write_atomically("got", line);
		}
	}
	return 2;
}
