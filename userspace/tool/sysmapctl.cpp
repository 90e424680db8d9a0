// sysmapctl: inspect, audit and control the sealing of system mappings.
#include <algorithm>
#include <cerrno>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.hpp"
#include "criu.hpp"
#include "report.hpp"
#include "reseal.hpp"
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
// (a full disk, a closed pipe) is a failure, not a silent success, and it
// outranks the verdict the output carried ("check" or "audit" findings):
// a script must not take an answer it never received for one.
int close_stdout(int rc)
{
	if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
		err(std::string("failed to write to standard output: ") + std::strerror(errno));
		return Exit::kFailed;
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
	v.notruncate = o.notruncate;
	auto defaults = cli::default_columns(command, o);
	// -O: every field, which is what a document holds anyway.
	v.chosen = o.output && !o.list_columns;
	if (o.output_all && !o.list_columns) {
		v.columns = cli::all_columns(command, o);
		return v;
	}
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
		out(report::list_columns(cols::Scope::Mapping, view, o.json, "status", kernel_supports_sealing()));
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
	// A process whose mappings could not be read was not reported in
	// full: exit 3 whatever the output (the document carries the reason).
	for (const auto &p : procs)
		if (p.task == Task::Process && !p.mappings)
			rc = Exit::kFailed;
	if (o.json) {
		out(report::status_json(procs, supported, view.chosen ? &view.columns : nullptr));
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
		out(report::list_columns(cols::Scope::Process, view, o.json, "audit", kernel_supports_sealing()));
		return Exit::kOk;
	}
	if (!kernel_supports_sealing()) {
		err("failed to audit: this kernel does not seal system mappings (no "
		    "CONFIG_MSEAL_SYSTEM_MAPPINGS), so there is nothing to audit");
		// A script reading -J gets a document that says so, as from status and check.
		if (o.json)
			out(report::audit_json_unsupported());
		return Exit::kUnsupported;
	}
	// A PID named twice is audited, and counted, once.
	std::vector<pid_t> pids;
	for (pid_t pid : o.pids)
		if (std::find(pids.begin(), pids.end(), pid) == pids.end())
			pids.push_back(pid);
	AuditResult r = audit(pids, "/proc", o.all, o.proxies);
	int rc = report::audit_status(r, o.fail_on_unsealed);
	if (!o.pids.empty()) {
		for (pid_t pid : r.gone)
			err("failed to audit process " + std::to_string(pid) + ": no such process");
		if (!r.gone.empty() && rc == Exit::kOk)
			rc = Exit::kFailed;
	}
	if (o.json) {
		out(report::audit_json(r, o.all, view.chosen ? &view.columns : nullptr));
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

// SYSMAP_SEAL_FAULT, the test hook of seal and criu restore.
std::optional<reseal::Fault> fault_from_env()
{
	const char *v = std::getenv("SYSMAP_SEAL_FAULT");
	try {
		return reseal::parse_fault(v ? v : "");
	} catch (const std::invalid_argument &e) {
		err(std::string("SYSMAP_SEAL_FAULT: ") + e.what());
		return std::nullopt;
	}
}

std::string describe(const SealState &s)
{
	return std::string("image ") + (s.image_sealed ? "sealed" : "unsealed") + ", policy " +
	       (s.policy_seal ? "seal" : "unseal") + (s.locked ? ", locked" : "");
}

std::string seal_failure(pid_t pid, const reseal::SealError &e)
{
	return "failed to seal PID " + std::to_string(pid) + ": " + e.what() + " (" + e.advice() + ")";
}

int seal_status(const reseal::SealError &e)
{
	return e.kind() == reseal::SealError::Kind::Unsupported && !kernel_supports_sealing() ? Exit::kUnsupported
	                                                                                      : Exit::kFailed;
}

int cmd_seal(const cli::Options &o)
{
	auto fault = fault_from_env();
	if (!fault)
		return Exit::kUsage;
	// Said once, not once for each process of a tree.
	if (!kernel_supports_sealing()) {
		err("failed to seal: this kernel does not seal system mappings (no CONFIG_MSEAL_SYSTEM_MAPPINGS)");
		return Exit::kUnsupported;
	}
	// What each process came to, said once the tree is done, in the
	// order of the tree: the processes of a tree are sealed several at once.
	struct Outcome {
		std::string said, failed;
		int status = Exit::kOk;
	};
	int rc = Exit::kOk;
	for (pid_t root : o.pids) {
		std::mutex mu;
		std::map<pid_t, Outcome> outcomes;
		auto one = [&](pid_t pid) {
			Outcome r;
			try {
				SealState st = reseal::seal(pid, o.lock, *fault);
				if (o.verbose)
					r.said = "PID " + std::to_string(pid) + ": " + describe(st) + "\n";
			} catch (const reseal::SealError &e) {
				using K = reseal::SealError::Kind;
				// A descendant that is exiting, or has exited, has nothing to seal.
				if (pid != root && (e.kind() == K::Gone || e.kind() == K::Unsealable))
					return;
				r.failed = seal_failure(pid, e);
				r.status = seal_status(e);
			}
			std::lock_guard lock(mu);
			outcomes[pid] = std::move(r);
		};
		std::vector<pid_t> order{root};
		if (o.tree)
			order = reseal::walk_tree(root, one, "/proc", reseal::seal_workers());
		else
			one(root);
		for (pid_t pid : order) {
			auto it = outcomes.find(pid);
			if (it == outcomes.end())
				continue;
			if (!it->second.said.empty())
				out(it->second.said);
			if (!it->second.failed.empty())
				err(it->second.failed);
			if (rc == Exit::kOk)
				rc = it->second.status;
		}
	}
	return rc;
}

// Run a program and wait for it: its exit status, as a shell reports it.
int run_and_wait(const std::vector<std::string> &program)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		err(std::string("failed to execute ") + program[0] + ": " + std::strerror(errno));
		return Exit::kExecFailed;
	}
	std::fflush(stdout);
	pid_t child = fork();
	if (child < 0) {
		err(std::string("failed to execute ") + program[0] + ": " + std::strerror(errno));
		return Exit::kExecFailed;
	}
	if (child == 0) {
		std::vector<std::string> args = program;
		std::vector<char *> argv;
		for (auto &a : args)
			argv.push_back(a.data());
		argv.push_back(nullptr);
		execvp(argv[0], argv.data());
		int e = errno;
		(void)!write(pipefd[1], &e, sizeof(e));
		_exit(127);
	}
	close(pipefd[1]);
	int e = 0;
	ssize_t n;
	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
	}
	if (n == sizeof(e)) {
		err("failed to execute " + program[0] + ": " + std::strerror(e) +
		    (e == ENOENT ? " (check the name and PATH)" : ""));
		return e == ENOENT ? Exit::kNotFound : Exit::kCannotExec;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

// The sealing state of a tree about to be dumped.
std::vector<criu::Record> record_tree(pid_t root)
{
	std::vector<criu::Record> records;
	reseal::walk_tree(root, [&](pid_t pid) {
		try {
			Process p = read_process(pid, false);
			if (p.task != Task::Process || !p.state)
				return;
			std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
			std::string line;
			std::getline(f, line);
			auto st = parse_stat(line);
			records.push_back({pid, *p.state, st && st->state == 'T'});
		} catch (const ProcError &) {
			// gone: criu will not find it either
		}
	});
	return records;
}

bool write_file(const std::string &path, const std::string &text)
{
	std::string tmp = path + ".tmp";
	{
		std::ofstream f(tmp, std::ios::trunc);
		if (!(f << text) || !f.flush())
			return false;
	}
	return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// A private directory for criu's pidfile, removed with what is in it.
class TempDir
{
public:
	TempDir()
	{
		const char *base = std::getenv("TMPDIR");
		std::string tmpl = std::string(base && *base ? base : "/tmp") + "/sysmapctl-XXXXXX";
		if (mkdtemp(tmpl.data()))
			path_ = tmpl;
	}
	~TempDir()
	{
		if (path_.empty())
			return;
		unlink((path_ + "/pid").c_str());
		rmdir(path_.c_str());
	}
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;
	const std::string &path() const { return path_; }

private:
	std::string path_;
};

int criu_restore(const criu::Invocation &inv, const std::vector<std::string> &program, reseal::Fault fault)
{
	std::string policy_path = inv.images_dir + "/" + criu::kPolicyFile;
	std::map<pid_t, criu::Record> recorded;
	std::ifstream pf(policy_path);
	if (!pf) {
		std::fputs(("sysmapctl: note: no " + policy_path +
		            " (not dumped by 'sysmapctl criu'): every restored process will be sealed\n")
		               .c_str(),
		           stderr);
	} else {
		try {
			for (const auto &r : criu::parse_records(pf))
				recorded[r.pid] = r;
		} catch (const std::invalid_argument &e) {
			err("failed to read " + policy_path + ": " + e.what() +
			    "; dump again with 'sysmapctl criu', or remove it to restore everything sealed");
			return Exit::kExecFailed;
		}
	}
	TempDir tmp;
	if (!inv.pidfile && tmp.path().empty()) {
		err(std::string("failed to create a directory for criu's pidfile: ") + std::strerror(errno));
		return Exit::kExecFailed;
	}
	std::string pidfile = inv.pidfile ? criu::pidfile_path(inv) : tmp.path() + "/pid";
	int rc = run_and_wait(criu::restore_args(inv, program, tmp.path() + "/pid"));
	if (rc != Exit::kOk)
		return rc;
	pid_t root = 0;
	std::ifstream pidf(pidfile);
	if (!(pidf >> root) || root <= 0) {
		err("failed to read the restored tree's PID from " + pidfile +
		    "; the restored processes are left stopped");
		return Exit::kExecFailed;
	}
	// The restored tree is stopped: its processes are sealed several at
	// once, and what failed is said in the order of the tree.
	std::mutex mu;
	std::map<pid_t, std::string> failed;
	std::vector<pid_t> tree = reseal::walk_tree(
	    root,
	    [&](pid_t pid) {
		    auto it = recorded.find(pid);
		    unsigned long flags =
		        it != recorded.end() ? criu::restore_flags(it->second) : kFlagSeal | kFlagImage;
		    try {
			    reseal::apply(pid, flags, fault);
		    } catch (const reseal::SealError &e) {
			    std::lock_guard lock(mu);
			    failed[pid] = seal_failure(pid, e);
		    }
	    },
	    "/proc", reseal::seal_workers());
	for (pid_t pid : tree)
		if (auto it = failed.find(pid); it != failed.end())
			err(it->second);
	if (!failed.empty()) {
		err("the restored processes are left stopped: seal them with 'sysmapctl seal --tree " +
		    std::to_string(root) + "' and continue them with 'kill -CONT', or kill them");
		return Exit::kExecFailed;
	}
	if (!inv.leave_stopped)
		for (pid_t pid : tree) {
			auto it = recorded.find(pid);
			if (it == recorded.end() || !it->second.stopped)
				kill(pid, SIGCONT);
		}
	return Exit::kOk;
}

int cmd_criu(const cli::Options &o)
{
	auto fault = fault_from_env();
	if (!fault)
		return Exit::kExecFailed;
	// "sysmapctl criu dump -t PID": the criu program itself left out.
	if (criu::is_action(o.program[0])) {
		err("'" + o.program[0] +
		    "' is a criu action, not a program: name criu first, as in 'sysmapctl criu -- criu " +
		    o.program[0] + " ...'");
		std::fputs("Try 'sysmapctl criu --help' for more information.\n", stderr);
		return Exit::kExecFailed;
	}
	criu::Invocation inv;
	try {
		inv = criu::parse_invocation(o.program);
	} catch (const std::invalid_argument &e) {
		err(e.what());
		return Exit::kExecFailed;
	}
	if (inv.action == "dump" && !inv.tree) {
		err("criu dump needs -t PID: sysmapctl records the sealing state of that tree");
		return Exit::kExecFailed;
	}
	bool supported = kernel_supports_sealing();
	std::vector<criu::Record> records;
	if (supported && inv.action == "dump")
		records = record_tree(*inv.tree);
	// Opted out, as "exec --unseal": criu moves and unmaps system mappings.
	try {
		ensure_policy({false, false});
	} catch (const PolicyError &e) {
		if (e.kind() != PolicyError::Kind::Unsupported) {
			err(std::string("failed to turn sealing off: ") + e.what() + "; " + advice(e));
			return Exit::kExecFailed;
		}
	}
	if (!supported || (inv.action != "dump" && inv.action != "restore"))
		return run_and_wait(o.program);
	if (inv.action == "restore")
		return criu_restore(inv, o.program, *fault);
	int rc = run_and_wait(o.program);
	if (rc != Exit::kOk)
		return rc;
	std::string path = inv.images_dir + "/" + criu::kPolicyFile;
	if (!write_file(path, criu::format_records(records))) {
		err("failed to write " + path + ": " + std::strerror(errno) +
		    "; without it a restore seals every process");
		return Exit::kExecFailed;
	}
	return Exit::kOk;
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
	case cli::Command::Seal:
		return "seal the processes";
	case cli::Command::Criu:
		return "run criu";
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
	case cli::Command::Seal:
		return cmd_seal(o);
	case cli::Command::Criu:
		return cmd_criu(o);
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
		std::fputs(
		    ("Try 'sysmapctl " + (cmd.empty() ? "" : cmd + " ") + "--help' for more information.\n").c_str(),
		    stderr);
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
		rc = o.command == cli::Command::Exec || o.command == cli::Command::Criu ? Exit::kExecFailed
		                                                                        : Exit::kFailed;
	}
	return close_stdout(rc);
}
