// Command-line parsing for sysmapctl, kept apart from main() so that it
// can be tested.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "columns.hpp"

namespace sysmap::cli
{

enum class Command { None, Status, Exec, Audit, Check, Seal, Criu };

// Exit statuses of sysmapctl; documented in sysmapctl(1).
enum Exit : int {
	kOk = 0,
	kFinding = 1,     // audit found unsealed processes; check: sealing inactive here
	kUsage = 2,       // bad command line
	kFailed = 3,      // the operation failed (permission, procfs, ...)
	kUnsupported = 4, // the kernel does not seal system mappings
	kIncomplete = 5,  // audit: some processes could not be judged
	// exec, as env(1) and timeout(1); otherwise the program's own status
	// criu, too: criu's status, or 125 if sysmapctl itself failed
	kExecFailed = 125, // sysmapctl itself failed
	kCannotExec = 126, // the program was found but cannot be executed
	kNotFound = 127,   // the program was not found
};

struct Options {
	Command command = Command::None;
	bool help = false;
	bool version = false;
	bool list_columns = false;
	bool json = false;
	bool raw = false;
	bool noheadings = false;
	std::optional<std::string> output; // -o/--output, as given
	bool output_all = false;           // -O/--output-all
	bool notruncate = false;           // -u/--notruncate
	bool verbose = false;              // audit: list processes that could not be judged
	bool all = false;                  // audit: list every process
	bool fail_on_unsealed = false;
	bool proxies = false;             // audit: read mappings, find unsealed vDSO proxies
	std::optional<bool> seal;         // exec: --seal / --unseal
	bool lock = false;                // exec, seal: --lock
	bool tree = false;                // seal: --tree
	std::vector<pid_t> pids;          // status, audit, seal
	std::vector<std::string> program; // exec, criu
};

// A mistake on the command line: the message names it; `command` says
// which help to point to.
class UsageError : public std::runtime_error
{
public:
	UsageError(Command command, const std::string &what) : std::runtime_error(what), command_(command) {}
	Command command() const { return command_; }

private:
	Command command_;
};

// Parse the arguments after argv[0] with getopt_long(). Throws UsageError.
Options parse(const std::vector<std::string> &args);

// "status", "exec", ...; "" for Command::None.
std::string_view name(Command command);

// The help text of a command (Command::None: the overview), for stdout.
std::string usage(Command command);

// The exit status of a usage error: exec and criu follow env(1) and return 125.
int usage_status(Command command);

// The columns a table shows when -o does not say (mapping tables: `raw`
// flattens every process into one table, so it starts with PID).
// Every column -O/--output-all shows for the command.
std::vector<cols::Col> all_columns(Command command, const Options &o);
std::vector<cols::Col> default_columns(Command command, const Options &o);

} // namespace sysmap::cli
