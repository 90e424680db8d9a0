// sysmapctl: inspect, audit and control the sealing of system mappings.
#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.hpp"
#include "report.hpp"
#include "sysmap/audit.hpp"
#include "sysmap/policy.hpp"
#include "sysmap/procfs.hpp"
#include "table.hpp"

#ifndef SYSMAP_VERSION_STRING
#error "the build defines SYSMAP_VERSION_STRING (the CMake project version)"
#endif

using namespace sysmap;
using cli::Exit;

namespace
{

// Rows go to stdout, everything else to stderr.
void out(const std::string &s)
{
	std::fwrite(s.data(), 1, s.size(), stdout);
}

void err(const std::string &s)
{
	std::fputs(("sysmapctl: " + s + "\n").c_str(), stderr);
}

// Like util-linux's close_stdout(): output that could not be written
// (a full disk, a closed pipe) is a failure, not a silent success.
int close_stdout(int rc)
{
	if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
		err(std::string("failed to write to standard output: ") + std::strerror(errno));
		return rc == Exit::kOk ? Exit::kFailed : rc;
	}
	return rc;
}

// What to do about a policy that could not be put in force; the library
// says what happened, the tool says what to do.
std::string advice(const PolicyError &e)
{
	switch (e.kind()) {
	case PolicyError::Kind::NotPermitted:
		return "run it as root, give sysmapctl the capability ('setcap cap_checkpoint_restore+ep "
		       "sysmapctl'), or start it from a service with AmbientCapabilities=CAP_CHECKPOINT_RESTORE";
	case PolicyError::Kind::OptOutDisabled:
		return "the administrator disabled opting out: run the program sealed, or change "
		       "vm.mseal_sysmap_optout at the next boot";
	case PolicyError::Kind::Locked:
		return "the program can only run sealed: leave out --unseal";
	case PolicyError::Kind::Busy:
		return "run sysmapctl from a process that does not share its memory (not from a vfork() child)";
	case PolicyError::Kind::Unsupported:
		return "leave out --seal and --lock to run the program anyway";
	case PolicyError::Kind::Invalid:
		return "sysmapctl and the kernel disagree on the interface: update sysmapctl";
	case PolicyError::Kind::Other:
		break;
	}
	return "see sysmapctl(1)";
}

std::string proc_advice(const ProcError &e)
{
	switch (e.kind()) {
	case ProcError::Kind::Malformed:
		return "; this sysmapctl may be older than the kernel: update it";
	case ProcError::Kind::Denied:
		return "; /proc may be mounted with hidepid=, or the process is in another PID namespace";
	default:
		return "";
	}
}

report::View view_of(cli::Command command, const cli::Options &o)
{
	report::View v;
	v.raw = o.raw;
	v.noheadings = o.noheadings;
	auto defaults = cli::default_columns(command, o);
	v.columns = o.output && !o.list_columns
	                ? cols::parse_list(*o.output, defaults,
	                                   command == cli::Command::Audit ? cols::Scope::Process : cols::Scope::Mapping)
	                : defaults;
	return v;
}

int cmd_status(const cli::Options &o)
{
	auto view = view_of(cli::Command::Status, o);
	if (o.list_columns) {
		out(report::list_columns(cols::Scope::Mapping, view, o.json));
		return Exit::kOk;
	}
	std::vector<pid_t> pids = o.pids;
	if (pids.empty())
		pids.push_back(getpid());
	bool supported = kernel_supports_sealing();
	int rc = Exit::kOk;
	std::vector<Process> procs;
	for (pid_t pid : pids) {
		try {
			procs.push_back(read_process(pid, true));
		} catch (const ProcError &e) {
			err("failed to read process " + std::to_string(pid) + ": " + e.what() + proc_advice(e));
			rc = Exit::kFailed;
		}
	}
	if (o.json) {
		out(report::status_json(procs, supported));
	} else if (o.raw) {
		for (const auto &p : procs)
			if (p.task == Task::Process && !p.mappings)
				err("process " + std::to_string(p.pid) +
				    ": mappings not readable: " + p.mappings_error);
		out(report::status_raw(procs, view));
	} else {
		out(report::status_report(procs, supported, view));
	}
	return rc;
}

int cmd_exec(const cli::Options &o)
{
	if (o.seal) {
		Policy want{*o.seal, o.lock};
		try {
			ensure_policy(want);
		} catch (const PolicyError &e) {
			if (e.kind() == PolicyError::Kind::Unsupported && !want.seal) {
				std::fputs(("sysmapctl: note: " + std::string(e.what()) + "; running " + o.program[0] +
				            " anyway\n")
				               .c_str(),
				           stderr);
			} else {
				err(std::string("failed to ") +
				    (want.seal ? want.lock ? "lock sealing on" : "turn sealing on"
				               : "turn sealing off") +
				    ": " + e.what() + "; " + advice(e));
				return Exit::kExecFailed;
			}
		}
	}
	std::vector<std::string> args = o.program; // execvp() wants mutable strings
	std::vector<char *> argv;
	for (auto &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	std::fflush(stdout);
	execvp(argv[0], argv.data());
	int e = errno;
	err("failed to execute " + o.program[0] + ": " + std::strerror(e) +
	    (e == ENOENT ? " (check the name and PATH)" : ""));
	return e == ENOENT ? Exit::kNotFound : Exit::kCannotExec;
}

int cmd_audit(const cli::Options &o)
{
	auto view = view_of(cli::Command::Audit, o);
	if (o.list_columns) {
		out(report::list_columns(cols::Scope::Process, view, o.json));
		return Exit::kOk;
	}
	if (!kernel_supports_sealing()) {
		err("failed to audit: this kernel does not seal system mappings (no "
		    "CONFIG_MSEAL_SYSTEM_MAPPINGS), so there is nothing to audit");
		return Exit::kUnsupported;
	}
	AuditResult r = audit(o.pids);
	int rc = report::audit_status(r, o.fail_on_unsealed);
	if (!o.pids.empty()) {
		for (pid_t pid : r.gone)
			err("failed to audit process " + std::to_string(pid) + ": no such process");
		if (!r.gone.empty() && rc == Exit::kOk)
			rc = Exit::kFailed;
	}
	if (o.json) {
		out(report::audit_json(r, o.all));
		return rc;
	}
	out(report::audit_table(r, view, o.verbose, o.all));
	std::fflush(stdout);
	std::fputs(report::audit_summary(r, o.verbose || o.all).c_str(), stderr);
	return rc;
}

int cmd_check(const cli::Options &o)
{
	report::CheckInfo c;
	struct utsname u {
	};
	if (uname(&u) == 0) {
		c.sysname = u.sysname;
		c.release = u.release;
	}
	c.supported = kernel_supports_sealing();
	if (c.supported) {
		try {
			c.prctl = get_policy_state();
		} catch (const PolicyError &) {
		}
	}
	c.optout_level = optout_level();
	c.self = read_process(getpid(), true);
	out(o.json ? report::check_json(c) : report::check_text(c));
	return report::check_status(c);
}

// For "failed to ...": what a command was doing.
std::string what_it_does(cli::Command command)
{
	switch (command) {
	case cli::Command::Status:
		return "show the status";
	case cli::Command::Exec:
		return "execute the program";
	case cli::Command::Audit:
		return "audit the processes";
	case cli::Command::Check:
		return "examine this process";
	case cli::Command::None:
		break;
	}
	return "run";
}

int run(const cli::Options &o)
{
	switch (o.command) {
	case cli::Command::Status:
		return cmd_status(o);
	case cli::Command::Exec:
		return cmd_exec(o);
	case cli::Command::Audit:
		return cmd_audit(o);
	case cli::Command::Check:
		return cmd_check(o);
	case cli::Command::None:
		break;
	}
	return Exit::kOk;
}

} // namespace

int main(int argc, char **argv)
{
	std::setlocale(LC_ALL, "");
	cli::Options o;
	try {
		o = cli::parse(std::vector<std::string>(argv + 1, argv + argc));
	} catch (const cli::UsageError &e) {
		std::string cmd(cli::name(e.command()));
		err(e.what());
		std::fputs(("Try 'sysmapctl " + (cmd.empty() ? "" : cmd + " ") + "--help'.\n").c_str(), stderr);
		return cli::usage_status(e.command());
	}
	if (o.version) {
		out(std::string("sysmapctl from sysmap-seal ") + SYSMAP_VERSION_STRING +
		    " (tables: " + std::string(Table::backend()) + ")\n");
		return close_stdout(Exit::kOk);
	}
	if (o.help || o.command == cli::Command::None) {
		out(cli::usage(o.command));
		return close_stdout(Exit::kOk);
	}
	int rc;
	try {
		rc = run(o);
	} catch (const std::exception &e) {
		err("failed to " + what_it_does(o.command) + ": " + e.what());
		rc = o.command == cli::Command::Exec ? Exit::kExecFailed : Exit::kFailed;
	}
	return close_stdout(rc);
}
