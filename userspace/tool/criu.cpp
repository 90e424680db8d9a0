#include "criu.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "sysmap/policy.hpp"

namespace sysmap::criu
{

namespace
{

constexpr std::array kActions = {
    std::string_view("dump"),    std::string_view("pre-dump"),       std::string_view("restore"),
    std::string_view("show"),    std::string_view("check"),          std::string_view("page-server"),
    std::string_view("service"), std::string_view("dedup"),          std::string_view("lazy-pages"),
    std::string_view("cpuinfo"), std::string_view("image-streamer"),
};

// criu's options that take their value as the next argument.
constexpr std::string_view kShortWithValue = "tDWoLrJM";
constexpr std::array kLongWithValue = {
    std::string_view("--tree"),
    std::string_view("--images-dir"),
    std::string_view("--work-dir"),
    std::string_view("--log-file"),
    std::string_view("--libdir"),
    std::string_view("--root"),
    std::string_view("--join-ns"),
    std::string_view("--ext-mount-map"),
    std::string_view("--pidfile"),
    std::string_view("--prev-images-dir"),
    std::string_view("--address"),
    std::string_view("--port"),
    std::string_view("--ps-socket"),
    std::string_view("--status-fd"),
    std::string_view("--config"),
    std::string_view("--external"),
    std::string_view("--inherit-fd"),
    std::string_view("--action-script"),
    std::string_view("--cgroup-root"),
    std::string_view("--network-lock"),
    std::string_view("--timeout"),
    std::string_view("--ghost-limit"),
    std::string_view("--skip-mnt"),
    std::string_view("--enable-fs"),
    std::string_view("--lsm-profile"),
    std::string_view("--file-validation"),
    std::string_view("--tls-cacert"),
    std::string_view("--tls-cacrl"),
    std::string_view("--tls-cert"),
    std::string_view("--tls-key"),
    std::string_view("--irmap-scan-path"),
    std::string_view("--cgroup-props"),
    std::string_view("--cgroup-props-file"),
    std::string_view("--cgroup-dump-controller"),
    std::string_view("--cgroup-yard"),
    std::string_view("--lsm-mount-context"),
    std::string_view("--empty-ns"),
    std::string_view("--feature"),
    std::string_view("--veth-pair"),
};

bool takes_value(std::string_view arg)
{
	if (arg.size() == 2 && arg[0] == '-' && arg[1] != '-')
		return kShortWithValue.find(arg[1]) != std::string_view::npos;
	return std::find(kLongWithValue.begin(), kLongWithValue.end(), arg) != kLongWithValue.end();
}

// The value of option `s`/`l` at args[i], in any of its forms; advances i
// past a separate value.
std::optional<std::string> value_of(const std::vector<std::string> &args, std::size_t &i, char s, std::string_view l)
{
	std::string_view a = args[i];
	std::string shortopt = std::string("-") + s;
	if (a == shortopt || a == l) {
		if (i + 1 >= args.size())
			throw std::invalid_argument("criu option " + std::string(a) + " needs a value");
		return args[++i];
	}
	if (a.size() > 2 && a.substr(0, 2) == shortopt)
		return std::string(a.substr(2));
	if (a.size() > l.size() + 1 && a.substr(0, l.size()) == l && a[l.size()] == '=')
		return std::string(a.substr(l.size() + 1));
	return std::nullopt;
}

std::string trim_comment(std::string line)
{
	auto b = line.find_first_not_of(" \t");
	if (b == std::string::npos)
		return {};
	auto e = line.find_last_not_of(" \t\r");
	return line.substr(b, e - b + 1);
}

} // namespace

bool is_action(std::string_view word)
{
	return std::find(kActions.begin(), kActions.end(), word) != kActions.end();
}

Invocation parse_invocation(const std::vector<std::string> &args)
{
	Invocation inv;
	for (std::size_t i = 1; i < args.size(); i++) {
		const std::string &a = args[i];
		if (a == "--")
			break; // what follows is --exec-cmd's command
		if (inv.action.empty() && !a.starts_with("-") &&
		    std::find(kActions.begin(), kActions.end(), a) != kActions.end()) {
			inv.action = a;
			inv.action_index = i;
			continue;
		}
		if (auto v = value_of(args, i, 't', "--tree")) {
			pid_t pid = 0;
			auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), pid);
			if (ec != std::errc() || p != v->data() + v->size() || pid <= 0)
				throw std::invalid_argument("criu's -t takes a process ID, not '" + *v + "'");
			inv.tree = pid;
		} else if (auto d = value_of(args, i, 'D', "--images-dir")) {
			inv.images_dir = *d;
		} else if (auto w = value_of(args, i, 'W', "--work-dir")) {
			inv.work_dir = *w;
		} else if (a == "--pidfile" || a.starts_with("--pidfile=")) {
			inv.pidfile = *value_of(args, i, '\0', "--pidfile");
		} else if (a == "-s" || a == "--leave-stopped") {
			inv.leave_stopped = true;
		} else if (takes_value(a)) {
			i++; // its value is not an action
		}
	}
	return inv;
}

std::vector<std::string> restore_args(const Invocation &inv, const std::vector<std::string> &args,
                                      const std::string &pidfile)
{
	std::vector<std::string> out(args.begin(), args.begin() + static_cast<long>(inv.action_index + 1));
	out.insert(out.end(), {"--restore-detached", "--leave-stopped"});
	if (!inv.pidfile)
		out.insert(out.end(), {"--pidfile", pidfile});
	out.insert(out.end(), args.begin() + static_cast<long>(inv.action_index + 1), args.end());
	return out;
}

std::string pidfile_path(const Invocation &inv)
{
	const std::string &p = inv.pidfile.value_or("");
	if (p.starts_with("/"))
		return p;
	std::string base = inv.work_dir.value_or(inv.images_dir);
	return base + "/" + p;
}

std::string format_records(const std::vector<Record> &records)
{
	std::string out = "# sysmap-policy 1\n"
	                  "# Written by 'sysmapctl criu' at dump, read at restore; see sysmapctl(1).\n"
	                  "# PID IMAGE POLICY LOCKED STATE\n";
	for (const auto &r : records)
		out += std::to_string(r.pid) + (r.state.image_sealed ? " sealed" : " unsealed") +
		       (r.state.policy_seal ? " seal" : " unseal") + (r.state.locked ? " yes" : " no") +
		       (r.stopped ? " stopped" : " running") + "\n";
	return out;
}

std::vector<Record> parse_records(std::istream &in)
{
	std::vector<Record> out;
	std::string line;
	int n = 0;
	auto bad = [&](const std::string &why) {
		return std::invalid_argument("line " + std::to_string(n) + ": " + why);
	};
	auto pick = [&](const std::string &v, std::string_view yes, std::string_view no, const char *what) {
		if (v == yes)
			return true;
		if (v == no)
			return false;
		throw bad(std::string(what) + " is '" + v + "', not " + std::string(yes) + " or " + std::string(no));
	};
	while (std::getline(in, line)) {
		n++;
		line = trim_comment(line);
		if (n == 1) {
			if (line != "# sysmap-policy 1")
				throw bad("not a sysmap-policy file of version 1 (its first line is '" + line + "')");
			continue;
		}
		if (line.empty() || line[0] == '#')
			continue;
		std::istringstream fields(line);
		std::string pid, image, policy, locked, state, extra;
		if (!(fields >> pid >> image >> policy >> locked >> state) || (fields >> extra))
			throw bad("expected 5 fields: PID IMAGE POLICY LOCKED STATE");
		Record r;
		auto [p, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), r.pid);
		if (ec != std::errc() || p != pid.data() + pid.size() || r.pid <= 0)
			throw bad("'" + pid + "' is not a process ID");
		r.state.image_sealed = pick(image, "sealed", "unsealed", "IMAGE");
		r.state.policy_seal = pick(policy, "seal", "unseal", "POLICY");
		r.state.locked = pick(locked, "yes", "no", "LOCKED");
		r.stopped = pick(state, "stopped", "running", "STATE");
		if (r.state.locked && !r.state.policy_seal)
			throw bad("a locked policy must seal");
		if (std::any_of(out.begin(), out.end(), [&](const Record &o) { return o.pid == r.pid; }))
			throw bad("process " + pid + " is listed twice");
		out.push_back(r);
	}
	if (n == 0)
		throw std::invalid_argument("the file is empty");
	return out;
}

unsigned long restore_flags(const Record &r)
{
	return (r.state.policy_seal ? kFlagSeal : 0) | (r.state.locked ? kFlagLock : 0) |
	       (r.state.image_sealed ? kFlagImage : 0);
}

} // namespace sysmap::criu
