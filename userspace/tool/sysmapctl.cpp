// sysmapctl: inspect, audit and control the sealing of system mappings.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <pwd.h>
#include <sstream>
#include <sys/utsname.h>
#include <unistd.h>

#include "sysmap/cli.hpp"
#include "sysmap/json.hpp"
#include "sysmap/policy.hpp"
#include "sysmap/procfs.hpp"

using namespace sysmap;
using cli::Exit;

namespace
{

std::string hex(std::uint64_t v)
{
	std::ostringstream ss;
	ss << "0x" << std::hex << std::setw(12) << std::setfill('0') << v;
	return ss.str();
}

std::string user_name(uid_t uid)
{
	struct passwd pw, *res = nullptr;
	char buf[1024];
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		return pw.pw_name;
	return std::to_string(uid);
}

std::string_view yes_no(bool b)
{
	return b ? "yes" : "no";
}

// Command lines come from other users: show control bytes escaped, so that
// no argument can forge table rows or drive the terminal.
std::string printable(std::string_view s)
{
	std::string out;
	for (unsigned char c : s) {
		if (c < 0x20 || c == 0x7f) {
			char buf[8];
			std::snprintf(buf, sizeof(buf), "\\x%02x", c);
			out += buf;
		} else {
			out += static_cast<char>(c);
		}
	}
	return out;
}

void state_json(JsonWriter &j, const std::optional<SealState> &st)
{
	if (!st) {
		j.key("image_sealed").null().key("policy").null().key("locked").null();
		return;
	}
	j.key("image_sealed").value(st->image_sealed);
	j.key("policy").value(st->policy_seal ? "seal" : "unseal");
	j.key("locked").value(st->locked);
}

void mappings_json(JsonWriter &j, const std::optional<std::vector<Mapping>> &maps)
{
	j.key("mappings");
	if (!maps) {
		j.null();
		return;
	}
	j.begin_array();
	for (const auto &m : *maps)
		j.begin_object()
		    .key("name")
		    .value(m.name)
		    .key("start")
		    .value(hex(m.start))
		    .key("end")
		    .value(hex(m.end))
		    .key("perms")
		    .value(m.perms)
		    .key("sealed")
		    .value(m.sealed)
		    .end_object();
	j.end_array();
}

int cmd_status(const cli::Options &o)
{
	std::vector<pid_t> pids = o.pids;
	if (pids.empty())
		pids.push_back(getpid());
	bool supported = kernel_supports_sealing();
	int rc = Exit::kOk;
	JsonWriter j;
	j.begin_object().key("supported").value(supported).key("processes").begin_array();
	for (pid_t pid : pids) {
		Process p;
		try {
			p = read_process(pid, true);
		} catch (const ProcError &e) {
			std::cerr << "sysmapctl: process " << pid << ": " << e.what() << "\n";
			rc = Exit::kFailed;
			continue;
		}
		if (o.json) {
			j.begin_object().key("pid").value(p.pid).key("comm").value(p.comm);
			j.key("user").value(user_name(p.uid)).key("kernel_thread").value(p.kernel_thread);
			state_json(j, p.state);
			mappings_json(j, p.mappings);
			if (!p.mappings_error.empty())
				j.key("mappings_error").value(p.mappings_error);
			j.end_object();
			continue;
		}
		std::cout << "PID " << p.pid << " (" << printable(p.comm) << ")";
		if (p.kernel_thread)
			std::cout << ": kernel thread, no system mappings\n";
		else if (p.state)
			std::cout << "  image: " << (p.state->image_sealed ? "sealed" : "unsealed")
			          << "  policy: " << (p.state->policy_seal ? "seal" : "unseal")
			          << "  locked: " << yes_no(p.state->locked) << "\n";
		else
			std::cout << "  sealing: not supported by this kernel\n";
		if (p.kernel_thread)
			continue;
		if (!p.mappings) {
			std::cout << "  (mappings not readable: " << p.mappings_error << ")\n";
			continue;
		}
		std::cout << "  " << std::left << std::setw(15) << "MAPPING" << std::setw(20) << "START"
		          << std::setw(20) << "END" << std::setw(7) << "PERMS"
		          << "SEALED\n";
		for (const auto &m : *p.mappings)
			std::cout << "  " << std::setw(15) << m.name << std::setw(20) << hex(m.start) << std::setw(20)
			          << hex(m.end) << std::setw(7) << m.perms << yes_no(m.sealed) << "\n";
	}
	j.end_array().end_object();
	if (o.json)
		std::cout << j.str() << "\n";
	return rc;
}

int cmd_exec(const cli::Options &o)
{
	if (o.seal) {
		Policy want{*o.seal, o.lock};
		try {
			set_policy(want);
		} catch (const PolicyError &e) {
			if (e.kind() == PolicyError::Kind::Unsupported && !*o.seal) {
				std::cerr << "sysmapctl: note: " << e.what() << "; running " << o.program[0]
				          << " anyway\n";
			} else {
				std::cerr << "sysmapctl: " << e.what() << "\n";
				return e.kind() == PolicyError::Kind::Unsupported ? Exit::kUnsupported : Exit::kFailed;
			}
		}
	}
	std::vector<std::string> args = o.program; // execvp wants mutable strings
	std::vector<char *> argv;
	for (auto &a : args)
		argv.push_back(a.data());
	argv.push_back(nullptr);
	execvp(argv[0], argv.data());
	int err = errno;
	std::cerr << "sysmapctl: cannot execute " << o.program[0] << ": " << std::strerror(err)
	          << (err == ENOENT ? " (check the name and PATH)" : "") << "\n";
	return err == ENOENT ? Exit::kNotFound : Exit::kCannotExec;
}

int cmd_audit(const cli::Options &o)
{
	if (!kernel_supports_sealing()) {
		std::cerr << "sysmapctl: this kernel does not seal system mappings (no "
		             "CONFIG_MSEAL_SYSTEM_MAPPINGS): there is nothing to audit\n";
		return Exit::kUnsupported;
	}
	std::vector<Process> found;
	std::size_t checked = 0;
	for (pid_t pid : list_pids()) {
		Process p;
		try {
			p = read_process(pid, false);
		} catch (const ProcError &) {
			continue; // exited meanwhile, or hidden
		}
		if (p.kernel_thread || p.zombie || !p.state)
			continue;
		checked++;
		if (!p.state->image_sealed || !p.state->policy_seal)
			found.push_back(std::move(p));
	}
	if (o.json) {
		JsonWriter j;
		j.begin_object().key("checked").value(checked).key("unsealed").value(found.size());
		j.key("processes").begin_array();
		for (const auto &p : found) {
			j.begin_object().key("pid").value(p.pid).key("user").value(user_name(p.uid));
			j.key("comm").value(p.comm).key("cmdline").value(p.cmdline);
			state_json(j, p.state);
			j.end_object();
		}
		j.end_array().end_object();
		std::cout << j.str() << "\n";
	} else {
		if (!found.empty())
			std::cout << std::left << std::setw(8) << "PID" << std::setw(12) << "USER" << std::setw(10)
			          << "IMAGE" << std::setw(8) << "POLICY" << std::setw(8) << "LOCKED"
			          << "COMMAND\n";
		for (const auto &p : found)
			std::cout << std::setw(8) << p.pid << std::setw(12) << user_name(p.uid) << std::setw(10)
			          << (p.state->image_sealed ? "sealed" : "unsealed") << std::setw(8)
			          << (p.state->policy_seal ? "seal" : "unseal") << std::setw(8)
			          << yes_no(p.state->locked) << printable(p.cmdline) << "\n";
		std::cout << checked << " processes checked, " << found.size()
		          << " with unsealed system mappings or an opted-out policy\n";
	}
	return o.fail_on_unsealed && !found.empty() ? Exit::kFinding : Exit::kOk;
}

int cmd_check(const cli::Options &o)
{
	struct utsname u {
	};
	uname(&u);
	bool supported = kernel_supports_sealing();
	std::optional<Policy> policy;
	if (supported) {
		try {
			policy = get_policy();
		} catch (const PolicyError &) {
		}
	}
	Process self = read_process(getpid(), true);
	bool active = supported && self.state && self.state->image_sealed;
	int rc = !supported ? Exit::kUnsupported : active ? Exit::kOk : Exit::kFinding;
	if (o.json) {
		JsonWriter j;
		j.begin_object().key("kernel").value(std::string(u.release));
		j.key("supported").value(supported).key("prctl").value(policy.has_value());
		j.key("active").value(active);
		state_json(j, self.state);
		mappings_json(j, self.mappings);
		j.end_object();
		std::cout << j.str() << "\n";
		return rc;
	}
	auto row = [](std::string_view k, const std::string &v) {
		std::cout << std::left << std::setw(16) << (std::string(k) + ":") << v << "\n";
	};
	row("kernel", std::string(u.sysname) + " " + u.release);
	row("feature", supported ? "built in (CONFIG_MSEAL_SYSTEM_MAPPINGS)" : "not built in");
	row("prctl", policy ? "PR_GET_MSEAL_SYSTEM_MAPPINGS answers" : "not available");
	if (self.state)
		row("this process", std::string("image ") + (self.state->image_sealed ? "sealed" : "unsealed") +
		                        ", policy " + (self.state->policy_seal ? "seal" : "unseal") +
		                        (self.state->locked ? ", locked" : ", not locked"));
	std::string maps;
	if (self.mappings)
		for (const auto &m : *self.mappings)
			maps += (maps.empty() ? "" : ", ") + m.name + (m.sealed ? " sealed" : " not sealed");
	row("mappings", maps.empty() ? "none found" : maps);
	row("result", !supported ? "sealing is not supported by this kernel"
	              : active   ? "sealing is active"
	                         : "sealing is built in but this process was started opted out");
	return rc;
}

} // namespace

int main(int argc, char **argv)
{
	cli::Options o;
	try {
		o = cli::parse(std::vector<std::string>(argv + 1, argv + argc));
	} catch (const cli::UsageError &e) {
		std::cerr << "sysmapctl: " << e.what() << "\n";
		return Exit::kUsage;
	}
	if (o.command == cli::Command::Help || o.help) {
		std::cout << cli::usage(o.command);
		return Exit::kOk;
	}
	try {
		switch (o.command) {
		case cli::Command::Status:
			return cmd_status(o);
		case cli::Command::Exec:
			return cmd_exec(o);
		case cli::Command::Audit:
			return cmd_audit(o);
		case cli::Command::Check:
			return cmd_check(o);
		case cli::Command::Help:
			break;
		}
	} catch (const std::exception &e) {
		std::cerr << "sysmapctl: " << e.what() << "\n";
		return Exit::kFailed;
	}
	return Exit::kOk;
}
