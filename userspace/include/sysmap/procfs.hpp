// Parsers for what the kernel reports about sealing: /proc/PID/smaps (the
// system mappings and their "sl" flag) and the "Mseal_sysmap:" line of
// /proc/PID/status, and a reader that takes one consistent look at a
// process.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace sysmap
{

struct Mapping {
	std::uint64_t start = 0;
	std::uint64_t end = 0;
	std::string perms; // e.g. "r-xp"
	std::string name;  // path, "[vdso]", or empty for anonymous memory
	bool sealed = false;
	std::vector<std::string> vm_flags;

	std::uint64_t size() const { return end - start; }
};

// The names of the mappings the kernel installs itself.
bool is_system_mapping(std::string_view name);

// Every mapping in an smaps stream. Tolerates names with spaces,
// " (deleted)" suffixes and truncated input (a process that exited while
// being read): a mapping whose header was read is kept.
std::vector<Mapping> parse_smaps(std::istream &in);

// The first mapping named `name` in /proc/PID/smaps (0: this process).
// Throws ProcError if the file cannot be read.
std::optional<Mapping> find_mapping(pid_t pid, std::string_view name);

// Only the system mappings of parse_smaps(), in address order.
std::vector<Mapping> system_mappings(const std::vector<Mapping> &all);

// A vDSO proxy left by a CRIU restore. When the dumped vDSO does not match
// the running kernel's, criu restores the dumped one as ordinary memory at
// its old address, redirects its entry points into the kernel's [vdso]
// (mapped elsewhere) and overwrites the start of that [vdso] with a mark
// naming the proxy. Programs keep calling the proxy: it is ordinary memory,
// which sealing the system mappings does not cover, so it must be sealed
// with mseal() on its own. Reported as a mapping named "[vdso-proxy]"
// (and "[vvar-proxy]" for a dumped vvar at its old address).
struct VdsoProxy {
	std::uint64_t vdso = 0;            // where the proxy vDSO starts
	std::optional<std::uint64_t> vvar; // where the dumped vvar was, if anywhere
	bool operator==(const VdsoProxy &) const = default;
};

inline constexpr std::size_t kCriuMarkSize = 40;
inline constexpr std::string_view kVdsoProxyName = "[vdso-proxy]";
inline constexpr std::string_view kVvarProxyName = "[vvar-proxy]";

// CRIU's mark (versions 1 to 3, 64-bit processes) in the first bytes of a
// [vdso]; nullopt if there is none.
std::optional<VdsoProxy> parse_criu_vdso_mark(const unsigned char *head, std::size_t len);

// The proxies named by a mark, as mappings of `all` (every mapping of the
// process), renamed "[vdso-proxy]" and "[vvar-proxy]"; empty without a mark.
std::vector<Mapping> proxy_mappings(const std::vector<Mapping> &all, const std::optional<VdsoProxy> &mark);

struct SealState {
	bool image_sealed = false; // decided at this image's execve(), or sealed since (PR_MSEAL_SYSMAP_SEAL_IMAGE)
	bool policy_seal = false;  // what the next execve() does
	bool locked = false;
	bool operator==(const SealState &) const = default;
};

// The "Mseal_sysmap:" line of a status stream; nullopt if it is absent
// (kernel without the feature, or a task without an address space).
// Throws std::invalid_argument if the line is present but malformed.
std::optional<SealState> parse_status_line(std::istream &in);

// What /proc/PID/stat says that status does not say reliably.
struct StatInfo {
	char state = '?';                  // R, S, D, Z, X, ...
	unsigned long flags = 0;           // PF_* of the task
	unsigned long long start_time = 0; // clock ticks after boot
};

// Parse one /proc/PID/stat line; the command name in it may contain
// spaces and parentheses. nullopt if the line is not one.
std::optional<StatInfo> parse_stat(std::string_view line);

// Reading another process can fail in ways a caller reports differently.
class ProcError : public std::runtime_error
{
public:
	enum class Kind {
		Gone,      // no such process, or it exited while being read
		Denied,    // hidden or protected (hidepid, ptrace access mode)
		Malformed, // a file this version cannot parse
		Other,
	};
	ProcError(Kind kind, const std::string &what) : std::runtime_error(what), kind_(kind) {}
	Kind kind() const { return kind_; }

private:
	Kind kind_;
};

// What kind of task a PID is.
enum class Task {
	Process,      // has an address space, hence system mappings
	KernelThread, // never had one
	Zombie,       // exited, not yet reaped by its parent
	Exiting,      // exiting: its address space is already gone
};

struct Process {
	pid_t pid = 0;
	uid_t uid = 0;
	std::string comm;
	std::string cmdline; // arguments joined by spaces; "[comm]" if there are none
	Task task = Task::Process;
	std::optional<SealState> state;               // from status; absent without the feature or an mm
	std::optional<std::vector<Mapping>> mappings; // system mappings, if asked for and readable,
	                                              // then any vDSO proxy a CRIU restore left
	std::string mappings_error;                   // why mappings is empty, if it is
	ProcError::Kind mappings_error_kind = ProcError::Kind::Other;

	bool kernel_thread() const { return task == Task::KernelThread; }
	bool zombie() const { return task == Task::Zombie; }
};

// Read one process from procfs: /proc/PID is opened once and every file is
// read relative to it, so a PID reused meanwhile cannot mix two processes;
// a process that exits while it is read is reported as gone. smaps needs
// ptrace access; without it, mappings stays empty (mappings_error says
// why) and the rest is still filled in. The start of [vdso] is read
// through /proc/PID/mem for CRIU's mark (see VdsoProxy); where that is
// not allowed, no proxy is reported. Throws ProcError: Gone if the
// process does not exist (any more), Denied if it is hidden, Malformed if
// its status line cannot be parsed.
Process read_process(pid_t pid, bool want_mappings, const std::string &proc_root = "/proc");

// What read_process() reads besides the status file.
struct ReadOptions {
	bool mappings = false; // smaps' system mappings
	// Asked once status has been read: whether to read the command line
	// too (always, if empty). Without it, cmdline stays empty.
	std::function<bool(const Process &)> cmdline;
};

// The same, reading only what `what` asks for: the status file, the stat
// file only if status lacks the "Kthread:" line (kernels before 6.0) or
// mappings are asked for (to notice an exit while smaps was read), and the
// command line only if wanted. "sysmapctl audit" reads thousands of
// processes this way.
Process read_process(pid_t pid, const ReadOptions &what, const std::string &proc_root = "/proc");

// A process from the text of its status file, read already: what
// read_process() gives without mappings or command line. Absent if the
// text lacks the "Kthread:" or "State:" line (kernels before 6.0, where
// read_process() also reads the stat file) or has a malformed
// "Mseal_sysmap:" line.
std::optional<Process> parse_process(pid_t pid, std::string_view status);

// The PIDs under proc_root, in increasing order.
std::vector<pid_t> list_pids(const std::string &proc_root = "/proc");

} // namespace sysmap
