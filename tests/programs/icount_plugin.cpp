// A QEMU TCG plugin for "make bench": counts the instructions the guest
// executes, and writes the running count to a file each time the guest
// executes the marker instruction "xchg %rbx,%rbx" (48 87 db, a no-op no
// compiler emits). bench_exec runs it before and after each measured cell,
// so the difference of two lines is the number of instructions the cell
// took (kernel and user space, interrupts included). Each translated block
// is counted whole as it starts, so a fault in the middle of a block also
// counts the instructions after it: a few per fault, alike in every cell.
//
//   qemu-system-x86_64 -plugin PATH/icount_plugin.so,out=FILE ...
//
// Debian ships QEMU 7.2 without the plugin header, so the few declarations
// of its plugin interface (version 1) that this uses are written out below;
// the plugin refuses to load into a QEMU that does not offer version 1.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

extern "C" {

using qemu_plugin_id_t = std::uint64_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;

// The leading members of QEMU's qemu_info_t, the only ones read here.
struct qemu_info_t {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
};

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };

using qemu_plugin_vcpu_tb_trans_cb_t = void (*)(qemu_plugin_id_t, qemu_plugin_tb *);
using qemu_plugin_vcpu_udata_cb_t = void (*)(unsigned int vcpu_index, void *userdata);
using qemu_plugin_udata_cb_t = void (*)(qemu_plugin_id_t, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(qemu_plugin_tb *tb, qemu_plugin_op op, void *ptr, std::uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
std::size_t qemu_plugin_tb_n_insns(const qemu_plugin_tb *tb);
qemu_plugin_insn *qemu_plugin_tb_get_insn(const qemu_plugin_tb *tb, std::size_t idx);
const void *qemu_plugin_insn_data(const qemu_plugin_insn *insn);
std::size_t qemu_plugin_insn_size(const qemu_plugin_insn *insn);
void qemu_plugin_outs(const char *string);

__attribute__((visibility("default"))) extern const int qemu_plugin_version;
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv);
}

const int qemu_plugin_version = 1;

namespace
{

constexpr unsigned char kMarker[] = {0x48, 0x87, 0xdb}; // xchg %rbx,%rbx

// Added to by every translated block as it starts executing: its number
// of instructions. Guests run with one vCPU, so there is one writer.
std::uint64_t executed;
std::FILE *out;

void on_marker(unsigned int, void *)
{
	std::fprintf(out, "%llu\n", static_cast<unsigned long long>(executed));
	std::fflush(out);
}

void on_translate(qemu_plugin_id_t, qemu_plugin_tb *tb)
{
	const std::size_t n = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, n);
	for (std::size_t i = 0; i < n; i++) {
		qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		if (qemu_plugin_insn_size(insn) == sizeof(kMarker) &&
		    std::memcmp(qemu_plugin_insn_data(insn), kMarker, sizeof(kMarker)) == 0)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS, nullptr);
	}
}

void on_exit(qemu_plugin_id_t, void *)
{
	if (out)
		std::fclose(out);
	out = nullptr;
}

} // namespace

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	if (info->version.cur < 1 || info->version.min > 1) {
		qemu_plugin_outs("icount_plugin: needs QEMU's plugin interface version 1 (QEMU 4.2 to 8.1)\n");
		return 1;
	}
	if (std::string_view(info->target_name) != "x86_64") {
		qemu_plugin_outs("icount_plugin: the marker is an x86_64 instruction\n");
		return 1;
	}
	const char *path = nullptr;
	for (int i = 0; i < argc; i++)
		if (std::string_view(argv[i]).starts_with("out="))
			path = argv[i] + 4;
	if (!path || !(out = std::fopen(path, "w"))) {
		qemu_plugin_outs("icount_plugin: give a writable file as out=FILE\n");
		return 1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
	return 0;
}
