// "sysmapctl criu": CRIU run opted out, with each process's sealing state
// recorded at dump (DIR/sysmap-policy) and put back at restore.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "sysmap/procfs.hpp"

namespace sysmap::criu
{

// What sysmapctl needs to know of a criu command line (args[0] is criu
// itself). Options are recognised in the forms "-t PID", "-tPID",
// "--tree PID" and "--tree=PID".
struct Invocation {
	std::string action;                  // "dump", "restore", ...; empty if none was found
	std::size_t action_index = 0;        // where it is in args
	std::optional<pid_t> tree;           // -t, --tree
	std::string images_dir = ".";        // -D, --images-dir
	std::optional<std::string> work_dir; // -W, --work-dir
	std::optional<std::string> pidfile;  // --pidfile
	bool leave_stopped = false;          // -s, --leave-stopped
};

// Whether `word` is one of criu's actions ("dump", "restore", ...).
bool is_action(std::string_view word);

// Throws std::invalid_argument if -t is not followed by a process ID.
Invocation parse_invocation(const std::vector<std::string> &args);

// The criu command line for a restore: the restored tree is left stopped
// and detached, and its root's PID written to `pidfile` (if the caller did
// not name one).
std::vector<std::string> restore_args(const Invocation &inv, const std::vector<std::string> &args,
                                      const std::string &pidfile);

// Where criu writes the pidfile the caller named: relative names are
// relative to the work directory, which defaults to the images directory.
std::string pidfile_path(const Invocation &inv);

// One process of a dumped tree, as DIR/sysmap-policy records it.
struct Record {
	pid_t pid = 0;
	SealState state;
	bool stopped = false; // stopped (state T) when it was dumped
	bool operator==(const Record &) const = default;
};

inline constexpr const char *kPolicyFile = "sysmap-policy";

// The file: a header line "# sysmap-policy 1", comments, then one line a
// process: "PID IMAGE POLICY LOCKED STATE", e.g.
// "1234 sealed seal no running"; see sysmapctl(1), FILES.
std::string format_records(const std::vector<Record> &records);

// Throws std::invalid_argument("line N: ...") on anything else.
std::vector<Record> parse_records(std::istream &in);

// The state that puts a record back, in the bits PR_MSEAL_SYSMAP_GET
// reports (SEAL, LOCK: the policy; IMAGE: the image sealed), for
// reseal::apply(), which sets the policy (PR_MSEAL_SYSMAP_SET) and then
// seals the image (PR_MSEAL_SYSMAP_SEAL_IMAGE) as far as they differ.
unsigned long restore_flags(const Record &r);

} // namespace sysmap::criu
