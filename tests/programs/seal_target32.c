/*
 * The ia32 twin of seal_target (spin and read modes), built by
 * tests/guest/reseal.sh with i686-linux-gnu-gcc -static:
 *
 *   seal_target32 DIR spin   known values in every register, exit 99 if
 *                            one changes; a thread writes DIR/counter
 *   seal_target32 DIR read   stdin lines to DIR/got ("error N" on failure)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

volatile unsigned long sysmap_spin_counter;
volatile unsigned long sysmap_spin_esp;
void sysmap_spin_check(void) __attribute__((noreturn));

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
        "1:	incl sysmap_spin_counter\n"
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

static void *reporter(void *arg)
{
	char line[64];
	(void)arg;
	for (;;) {
		snprintf(line, sizeof(line), "%lu 0\n", sysmap_spin_counter);
		write_atomically("counter", line);
		usleep(50 * 1000);
	}
	return NULL;
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
		pthread_t t;
		if (pthread_create(&t, NULL, reporter, NULL))
			return 1;
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
