// Command-line parsing for sysmapctl, kept apart from main() so that it
// can be tested.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sysmap::cli
{

enum class Command { Help, Status, Exec, Audit, Check };

// Exit statuses of sysmapctl; documented in sysmapctl(1).
enum Exit : int {
	kOk = 0,
	kFinding = 1,     // audit found unsealed processes; check: sealing inactive here
	kUsage = 2,       // bad command line
	kFailed = 3,      // the operation failed (permission, procfs, ...)
	kUnsupported = 4, // the kernel does not seal system mappings
	kCannotExec = 126,
	kNotFound = 127,
};

struct Options {
	Command command = Command::Help;
	bool help = false; // --help after a command
	bool json = false;
	bool fail_on_unsealed = false;
	std::optional<bool> seal;         // exec: --seal / --unseal
	bool lock = false;                // exec: --lock
	std::vector<pid_t> pids;          // status
	std::vector<std::string> program; // exec
};

class UsageError : public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

// Parse the arguments after argv[0]. Throws UsageError with a message
// that names the mistake.
Options parse(const std::vector<std::string> &args);

// Help text for a command (Command::Help: the overview).
std::string usage(Command command);

} // namespace sysmap::cli
