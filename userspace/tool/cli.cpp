#include "sysmap/cli.hpp"

#include <charconv>

namespace sysmap::cli
{

namespace
{

pid_t parse_pid(const std::string &s)
{
	pid_t pid = 0;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), pid);
	if (ec != std::errc() || p != s.data() + s.size() || pid <= 0)
		throw UsageError("'" + s + "' is not a process ID");
	return pid;
}

} // namespace

Options parse(const std::vector<std::string> &args)
{
	Options o;
	if (args.empty())
		throw UsageError("missing command; try 'sysmapctl --help'");
	const std::string &cmd = args[0];
	if (cmd == "-h" || cmd == "--help" || cmd == "help") {
		o.command = Command::Help;
		return o;
	}
	if (cmd == "status")
		o.command = Command::Status;
	else if (cmd == "exec")
		o.command = Command::Exec;
	else if (cmd == "audit")
		o.command = Command::Audit;
	else if (cmd == "check")
		o.command = Command::Check;
	else
		throw UsageError("unknown command '" + cmd + "'; commands: status, exec, audit, check");

	for (std::size_t i = 1; i < args.size(); i++) {
		const std::string &a = args[i];
		if (a == "-h" || a == "--help") {
			o.help = true;
		} else if (a == "--json" && o.command != Command::Exec) {
			o.json = true;
		} else if (a == "--fail-on-unsealed" && o.command == Command::Audit) {
			o.fail_on_unsealed = true;
		} else if ((a == "--seal" || a == "--unseal") && o.command == Command::Exec) {
			bool seal = a == "--seal";
			if (o.seal && *o.seal != seal)
				throw UsageError("--seal and --unseal exclude each other");
			o.seal = seal;
		} else if (a == "--lock" && o.command == Command::Exec) {
			o.lock = true;
		} else if (a == "--" && o.command == Command::Exec) {
			o.program.assign(args.begin() + static_cast<long>(i) + 1, args.end());
			break;
		} else if (!a.empty() && a[0] == '-') {
			throw UsageError("'" + cmd + "' does not take option '" + a + "'; try 'sysmapctl " + cmd +
			                 " --help'");
		} else if (o.command == Command::Status) {
			o.pids.push_back(parse_pid(a));
		} else if (o.command == Command::Exec) {
			o.program.assign(args.begin() + static_cast<long>(i), args.end());
			break;
		} else {
			throw UsageError("'" + cmd + "' takes no arguments ('" + a + "')");
		}
	}
	if (o.help)
		return o;
	if (o.command == Command::Exec) {
		if (o.program.empty())
			throw UsageError(
			    "exec needs a program: sysmapctl exec [--unseal | --seal] [--lock] [--] PROGRAM [ARGS...]");
		if (o.lock && o.seal == false)
			throw UsageError("--lock needs sealing on: a lock on --unseal is not allowed");
		if (o.lock && !o.seal)
			o.seal = true;
	}
	return o;
}

std::string usage(Command command)
{
	switch (command) {
	case Command::Status:
		return "usage: sysmapctl status [--json] [PID...]\n"
		       "Show the system mappings (vDSO, vvar, ...) of each process, with their\n"
		       "address range and whether they are sealed, and the process's policy.\n"
		       "Without PID, show sysmapctl's own process.\n";
	case Command::Exec:
		return "usage: sysmapctl exec [--unseal | --seal] [--lock] [--] PROGRAM [ARGS...]\n"
		       "Set the sealing policy, then execute PROGRAM with it.\n"
		       "  --unseal  PROGRAM and its descendants run with unsealed system mappings\n"
		       "            (CRIU, rr, gVisor); needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN\n"
		       "  --seal    PROGRAM runs sealed (the default of every process)\n"
		       "  --lock    with --seal: the policy can never change again, for PROGRAM\n"
		       "            and all its descendants\n"
		       "Without an option the policy is left as it is.\n"
		       "The exit status is PROGRAM's; 126 if it cannot be executed, 127 if it\n"
		       "does not exist.\n";
	case Command::Audit:
		return "usage: sysmapctl audit [--json] [--fail-on-unsealed]\n"
		       "List every process whose system mappings are not sealed, or whose policy\n"
		       "is opted out, with its owner and command line.\n"
		       "  --fail-on-unsealed  exit with status 1 if any such process exists\n";
	case Command::Check:
		return "usage: sysmapctl check [--json]\n"
		       "Report what this kernel supports and whether sealing is active for this\n"
		       "process. Exit status: 0 active, 1 built in but not active here,\n"
		       "4 not supported by the kernel.\n";
	case Command::Help:
		break;
	}
	return "usage: sysmapctl COMMAND [OPTIONS]\n"
	       "Inspect, audit and control the sealing of system mappings (vDSO, vvar,\n"
	       "vsyscall, uprobes) that the kernel applies at execve().\n"
	       "\n"
	       "commands:\n"
	       "  status [--json] [PID...]                    system mappings and policy of processes\n"
	       "  exec [--unseal | --seal] [--lock] [--] CMD  run CMD with a chosen policy\n"
	       "  audit [--json] [--fail-on-unsealed]         find unsealed or opted-out processes\n"
	       "  check [--json]                              what this kernel supports\n"
	       "\n"
	       "Run 'sysmapctl COMMAND --help' for details, or see sysmapctl(1).\n";
}

} // namespace sysmap::cli
