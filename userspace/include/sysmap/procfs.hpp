// Parsers for what the kernel reports about sealing: /proc/PID/smaps (the
// system mappings and their "sl" flag) and the "Mseal_sysmap:" line of
// /proc/PID/status.
#pragma once

#include <cstdint>
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

struct SealState {
	bool image_sealed = false; // decided at this image's execve()
	bool policy_seal = false;  // what the next execve() does
	bool locked = false;
	bool operator==(const SealState &) const = default;
};

// The "Mseal_sysmap:" line of a status stream; nullopt if it is absent
// (kernel without the feature, or a kernel thread). Throws
// std::invalid_argument if the line is present but malformed.
std::optional<SealState> parse_status_line(std::istream &in);

// Reading another process can fail in ways a caller reports differently.
class ProcError : public std::runtime_error
{
public:
	enum class Kind { Gone, Denied, Other };
	ProcError(Kind kind, const std::string &what) : std::runtime_error(what), kind_(kind) {}
	Kind kind() const { return kind_; }

private:
	Kind kind_;
};

struct Process {
	pid_t pid = 0;
	uid_t uid = 0;
	std::string comm;
	std::string cmdline;                          // arguments joined by spaces
	bool kernel_thread = false;                   // no address space at all
	bool zombie = false;                          // exited, not yet reaped
	std::optional<SealState> state;               // from status
	std::optional<std::vector<Mapping>> mappings; // system mappings, if readable
	std::string mappings_error;                   // why mappings is empty, if it is
};

// Read one process from procfs. smaps needs ptrace access; without it,
// mappings stays empty and the rest is still filled in. Throws ProcError
// (Gone) if the process does not exist (any more).
Process read_process(pid_t pid, bool want_mappings, const std::string &proc_root = "/proc");

// The PIDs under proc_root, in increasing order.
std::vector<pid_t> list_pids(const std::string &proc_root = "/proc");

} // namespace sysmap
