#include "sysmap/procfs.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <linux/capability.h>
#include <memory>
#include <sstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fd.hpp"

namespace sysmap
{

namespace
{

constexpr std::array kSystemNames = {
    std::string_view("[vdso]"),     std::string_view("[vvar]"),    std::string_view("[vvar_vclock]"),
    std::string_view("[vsyscall]"), std::string_view("[uprobes]"), std::string_view("[sigpage]"),
    std::string_view("[vectors]"),
};

bool parse_hex(std::string_view s, std::uint64_t &out)
{
	if (s.empty())
		return false;
	auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
	return ec == std::errc() && p == s.data() + s.size();
}

// Split off the next space-separated field of s.
std::string_view next_field(std::string_view &s)
{
	auto b = s.find_first_not_of(' ');
	if (b == std::string_view::npos) {
		s = {};
		return {};
	}
	s.remove_prefix(b);
	auto e = s.find(' ');
	auto field = s.substr(0, e);
	s.remove_prefix(e == std::string_view::npos ? s.size() : e);
	return field;
}

// A mapping header: "start-end perms offset dev inode [name]". The name is
// everything after the inode field, spaces included.
std::optional<Mapping> parse_header(std::string_view line)
{
	std::string_view rest = line;
	auto range = next_field(rest);
	auto dash = range.find('-');
	if (dash == std::string_view::npos)
		return std::nullopt;
	Mapping m;
	if (!parse_hex(range.substr(0, dash), m.start) || !parse_hex(range.substr(dash + 1), m.end) || m.end < m.start)
		return std::nullopt;
	auto perms = next_field(rest);
	auto offset = next_field(rest);
	auto dev = next_field(rest);
	auto inode = next_field(rest);
	if (perms.size() != 4 || offset.empty() || dev.find(':') == std::string_view::npos || inode.empty())
		return std::nullopt;
	m.perms = perms;
	auto b = rest.find_first_not_of(' ');
	if (b != std::string_view::npos)
		m.name = rest.substr(b);
	return m;
}

std::string trim(std::string_view s)
{
	auto b = s.find_first_not_of(" \t");
	if (b == std::string_view::npos)
		return {};
	auto e = s.find_last_not_of(" \t");
	return std::string(s.substr(b, e - b + 1));
}

// How a failed open() or read() of a procfs file is reported.
ProcError proc_error(int err, const std::string &path)
{
	if (err == ENOENT || err == ESRCH)
		return ProcError(ProcError::Kind::Gone, path + ": no such process");
	if (err == EACCES || err == EPERM)
		return ProcError(ProcError::Kind::Denied, path + ": permission denied");
	return ProcError(ProcError::Kind::Other, path + ": " + std::strerror(err));
}

// The whole of a file, opened relative to dirfd (AT_FDCWD: to the working
// directory). `path` names it in errors.
std::string read_at(int dirfd, const char *name, const std::string &path)
{
	detail::UniqueFd fd(openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY));
	if (!fd)
		throw proc_error(errno, path);
	std::string out;
	char buf[16384];
	for (;;) {
		ssize_t n = read(fd.get(), buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			throw proc_error(errno, path);
		}
		out.append(buf, static_cast<std::size_t>(n));
	}
	return out;
}

// The command name as status prints it, escaped (a newline as backslash
// and "n", a backslash as two; older kernels escaped other white space
// too), back to the name itself. Spaces, trailing ones included, are
// part of it.
std::string unescape_comm(std::string_view s)
{
	std::string out;
	for (std::size_t i = 0; i < s.size(); i++) {
		if (s[i] != '\\' || i + 1 == s.size()) {
			out += s[i];
			continue;
		}
		switch (s[++i]) {
		case 'n':
			out += '\n';
			break;
		case 't':
			out += '\t';
			break;
		case 'v':
			out += '\v';
			break;
		case 'f':
			out += '\f';
			break;
		case 'r':
			out += '\r';
			break;
		case '\\':
			out += '\\';
			break;
		default:
			out += '\\';
			out += s[i];
			break;
		}
	}
	return out;
}

// `len` bytes of the process's memory at `addr` (its "mem" under dirfd);
// empty if they cannot be read: reading another process's memory needs
// more than reading its smaps, and a caller treats that as "not known".
std::vector<unsigned char> read_head_at(int dirfd, std::uint64_t addr, std::size_t len)
{
	detail::UniqueFd fd(openat(dirfd, "mem", O_RDONLY | O_CLOEXEC));
	std::vector<unsigned char> buf(len);
	if (!fd || pread(fd.get(), buf.data(), len, static_cast<off_t>(addr)) != static_cast<ssize_t>(len))
		return {};
	return buf;
}

std::string read_file(const std::string &path)
{
	return read_at(AT_FDCWD, path.c_str(), path);
}

// Whether this process has CAP_SYS_PTRACE in its effective set (the
// advice on a refused smaps depends on it).
bool have_cap_sys_ptrace()
{
	__user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	return data[CAP_TO_INDEX(CAP_SYS_PTRACE)].effective & CAP_TO_MASK(CAP_SYS_PTRACE);
}

// The kernel's PF_KTHREAD (include/linux/sched.h), in /proc/PID/stat.
constexpr unsigned long kPfKthread = 0x00200000;

bool exited(char state)
{
	return state == 'Z' || state == 'X' || state == 'x';
}

} // namespace

bool is_system_mapping(std::string_view name)
{
	return std::find(kSystemNames.begin(), kSystemNames.end(), name) != kSystemNames.end();
}

std::vector<Mapping> parse_smaps(std::istream &in)
{
	std::vector<Mapping> out;
	std::string line;
	bool have = false;
	while (std::getline(in, line)) {
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		std::string_view v = line;
		auto colon = v.find(':');
		auto space = v.find(' ');
		// Attribute lines are "Key: value" with no space before the colon.
		bool attribute = colon != std::string_view::npos && (space == std::string_view::npos || colon < space);
		if (!attribute) {
			// A line that is no header ends the previous mapping too, so
			// that its flags are never credited to the wrong mapping.
			auto m = parse_header(v);
			have = m.has_value();
			if (m)
				out.push_back(std::move(*m));
			continue;
		}
		if (have && v.starts_with("VmFlags:")) {
			std::string_view rest = v.substr(8);
			for (auto f = next_field(rest); !f.empty(); f = next_field(rest)) {
				out.back().vm_flags.emplace_back(f);
				if (f == "sl")
					out.back().sealed = true;
			}
		}
	}
	return out;
}

std::optional<Mapping> find_mapping(pid_t pid, std::string_view name)
{
	std::istringstream ss(read_file(pid ? "/proc/" + std::to_string(pid) + "/smaps" : "/proc/self/smaps"));
	for (auto &m : parse_smaps(ss))
		if (m.name == name)
			return std::move(m);
	return std::nullopt;
}

std::vector<Mapping> system_mappings(const std::vector<Mapping> &all)
{
	std::vector<Mapping> out;
	std::copy_if(all.begin(), all.end(), std::back_inserter(out),
	             [](const Mapping &m) { return is_system_mapping(m.name); });
	return out;
}

std::optional<VdsoProxy> parse_criu_vdso_mark(const unsigned char *head, std::size_t len)
{
	// struct vdso_mark of criu/include/util-vdso.h: a 64-bit signature,
	// then unsigned longs. Version 1: the proxy's address; 2 and 3: the
	// proxy vDSO, a version number, the dumped vvar (3: and the runtime
	// vvar). An address of ~0 means none.
	constexpr std::uint64_t kV1 = 0x6f73647675697263ULL; // "criuvdso"
	constexpr std::uint64_t kV2 = 0x4f53447675697263ULL; // "criuvDSO"
	constexpr std::uint64_t kV3 = 0x4f53447655495243ULL; // "CRIUvDSO"
	constexpr std::uint64_t kNone = ~0ULL;
	auto word = [&](std::size_t i) {
		std::uint64_t w = 0;
		std::memcpy(&w, head + 8 * i, sizeof(w));
		return w;
	};
	if (!head || len < 16)
		return std::nullopt;
	std::uint64_t sig = word(0);
	if (sig != kV1 && ((sig != kV2 && sig != kV3) || len < 32))
		return std::nullopt;
	VdsoProxy p;
	p.vdso = word(1);
	if (p.vdso == kNone || p.vdso == 0)
		return std::nullopt;
	if (sig != kV1 && word(3) != kNone && word(3) != 0)
		p.vvar = word(3);
	return p;
}

std::vector<Mapping> proxy_mappings(const std::vector<Mapping> &all, const std::optional<VdsoProxy> &mark)
{
	std::vector<Mapping> out;
	if (!mark)
		return out;
	auto add = [&](std::uint64_t at, std::string_view name) {
		for (const auto &m : all)
			if (m.start == at && !is_system_mapping(m.name)) {
				out.push_back(m);
				out.back().name = name;
				return;
			}
	};
	add(mark->vdso, kVdsoProxyName);
	if (mark->vvar)
		add(*mark->vvar, kVvarProxyName);
	return out;
}

namespace
{

// The fields of one "Mseal_sysmap:" line of a status file.
SealState parse_seal_line(std::string_view line)
{
	std::string fields(line.substr(13));
	std::replace(fields.begin(), fields.end(), '\t', ' ');
	std::string_view rest = fields;
	SealState st;
	bool seen_image = false, seen_policy = false, seen_locked = false;
	for (auto f = next_field(rest); !f.empty(); f = next_field(rest)) {
		auto eq = f.find('=');
		if (eq == std::string_view::npos)
			continue;
		auto k = f.substr(0, eq), val = f.substr(eq + 1);
		auto pick = [&](std::string_view yes, std::string_view no, bool &dst, bool &seen) {
			if (val == yes)
				dst = true;
			else if (val == no)
				dst = false;
			else
				throw std::invalid_argument("Mseal_sysmap: unexpected value '" + std::string(val) +
				                            "' for " + std::string(k));
			seen = true;
		};
		if (k == "image")
			pick("sealed", "unsealed", st.image_sealed, seen_image);
		else if (k == "policy")
			pick("seal", "unseal", st.policy_seal, seen_policy);
		else if (k == "locked")
			pick("yes", "no", st.locked, seen_locked);
		// Unknown keys are left for newer kernels.
	}
	if (!seen_image || !seen_policy || !seen_locked)
		throw std::invalid_argument("Mseal_sysmap: line lacks image=, policy= or locked=");
	return st;
}

} // namespace

std::optional<SealState> parse_status_line(std::istream &in)
{
	std::string line;
	while (std::getline(in, line))
		if (std::string_view(line).starts_with("Mseal_sysmap:"))
			return parse_seal_line(line);
	return std::nullopt;
}

std::optional<StatInfo> parse_stat(std::string_view line)
{
	// "pid (comm) state ppid pgrp session tty_nr tpgid flags ... starttime ..."
	auto close = line.rfind(')');
	if (close == std::string_view::npos || line.find('(') > close)
		return std::nullopt;
	std::string_view rest = line.substr(close + 1);
	std::vector<std::string_view> f;
	for (auto field = next_field(rest); !field.empty(); field = next_field(rest))
		f.push_back(field);
	// Fields counted from the state (field 3 of proc(5)).
	constexpr std::size_t kFlags = 9 - 3, kStartTime = 22 - 3;
	if (f.size() <= kStartTime || f[0].size() != 1)
		return std::nullopt;
	StatInfo st;
	st.state = f[0][0];
	auto num = [](std::string_view s, auto &out) {
		auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
		return ec == std::errc() && p == s.data() + s.size();
	};
	if (!num(f[kFlags], st.flags) || !num(f[kStartTime], st.start_time))
		return std::nullopt;
	return st;
}

namespace
{

// What a status file says of a process, its lines as views of the text.
struct StatusFields {
	std::string comm;
	uid_t uid = 0;
	char state = '\0';
	bool has_mm = false, kthread = false, kthread_line = false;
	std::optional<std::string_view> seal_line;
};

StatusFields scan_status(std::string_view status)
{
	StatusFields f;
	for (std::string_view rest = status; !rest.empty();) {
		auto nl = rest.find('\n');
		std::string_view v = rest.substr(0, nl);
		rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
		if (v.starts_with("Name:\t")) {
			f.comm = unescape_comm(v.substr(6));
		} else if (v.starts_with("Name:")) {
			f.comm = trim(v.substr(5));
		} else if (v.starts_with("State:")) {
			auto t = v.substr(6);
			auto b = t.find_first_not_of(" \t");
			if (b != std::string_view::npos)
				f.state = t[b];
		} else if (v.starts_with("Uid:")) {
			auto t = v.substr(4);
			auto b = t.find_first_not_of(" \t");
			unsigned long uid = 0;
			if (b != std::string_view::npos)
				std::from_chars(t.data() + b, t.data() + t.size(), uid);
			f.uid = static_cast<uid_t>(uid);
		} else if (v.starts_with("Kthread:")) {
			f.kthread_line = true;
			f.kthread = trim(v.substr(8)) == "1";
		} else if (v.starts_with("VmSize:")) {
			f.has_mm = true;
		} else if (v.starts_with("Mseal_sysmap:")) {
			f.has_mm = true;
			if (!f.seal_line)
				f.seal_line = v;
		}
	}
	return f;
}

// Only a task with an address space has system mappings. Of those
// without: kernel threads never had one, zombies have exited, and a task
// on its way out has already released its own.
void classify(Process &p, const StatusFields &f, bool stat_says_exited)
{
	if (f.kthread)
		p.task = Task::KernelThread;
	else if (exited(f.state) || stat_says_exited)
		p.task = Task::Zombie;
	else if (!f.has_mm)
		p.task = Task::Exiting;
}

} // namespace

std::optional<Process> parse_process(pid_t pid, std::string_view status)
{
	StatusFields f = scan_status(status);
	if (!f.kthread_line || f.state == '\0')
		return std::nullopt;
	Process p;
	p.pid = pid;
	p.comm = std::move(f.comm);
	p.uid = f.uid;
	classify(p, f, false);
	try {
		if (f.seal_line)
			p.state = parse_seal_line(*f.seal_line);
	} catch (const std::invalid_argument &) {
		return std::nullopt;
	}
	return p;
}

Process read_process(pid_t pid, bool want_mappings, const std::string &proc_root)
{
	return read_process(pid, ReadOptions{want_mappings, {}}, proc_root);
}

Process read_process(pid_t pid, const ReadOptions &what, const std::string &proc_root)
{
	const std::string dir = proc_root + "/" + std::to_string(pid);
	// Every file below is opened relative to this one directory: if the
	// process exits and its PID is reused, the directory still names the
	// old process, and reading from it fails instead of reading the new one.
	detail::UniqueFd dirfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (!dirfd)
		throw proc_error(errno, dir);
	auto slurp = [&](const char *name) { return read_at(dirfd.get(), name, dir + "/" + name); };
	auto stat = [&] {
		auto st = parse_stat(slurp("stat"));
		if (!st)
			throw ProcError(ProcError::Kind::Malformed, dir + "/stat: not in the format of proc(5)");
		return *st;
	};

	Process p;
	p.pid = pid;
	std::optional<StatInfo> first;
	if (what.mappings)
		first = stat();

	// One pass over the status file: "audit" reads nothing else of most
	// processes.
	const std::string status = slurp("status");
	StatusFields f = scan_status(status);
	p.comm = std::move(f.comm);
	p.uid = f.uid;
	if (!first && (!f.kthread_line || f.state == '\0'))
		first = stat();
	if (first) {
		f.kthread = f.kthread || (first->flags & kPfKthread) != 0;
		if (f.state == '\0')
			f.state = first->state;
	}
	classify(p, f, first && exited(first->state));
	try {
		if (f.seal_line)
			p.state = parse_seal_line(*f.seal_line);
	} catch (const std::invalid_argument &e) {
		throw ProcError(ProcError::Kind::Malformed, dir + "/status: " + e.what());
	}

	if (!what.cmdline || what.cmdline(p)) {
		std::string cmd = slurp("cmdline");
		std::replace(cmd.begin(), cmd.end(), '\0', ' ');
		while (!cmd.empty() && cmd.back() == ' ')
			cmd.pop_back();
		p.cmdline = cmd.empty() ? "[" + p.comm + "]" : cmd;
	}

	if (what.mappings && p.task == Task::Process) {
		try {
			// A live process always has mappings. An empty smaps means
			// it was read while the process replaced its address space
			// (execve(): the file was opened on the old one) or gave it
			// up: read it again, a few times, then say so rather than
			// report a process without system mappings.
			std::vector<Mapping> all;
			for (int attempt = 0; attempt < 3 && all.empty(); attempt++) {
				std::istringstream ss(slurp("smaps"));
				all = parse_smaps(ss);
			}
			if (all.empty())
				throw ProcError(ProcError::Kind::Other,
				                dir + "/smaps is empty: the process was executing a new program or "
				                      "exiting while it was read; try again");
			p.mappings = system_mappings(all);
			auto vdso = std::find_if(p.mappings->begin(), p.mappings->end(),
			                         [](const Mapping &m) { return m.name == "[vdso]"; });
			if (vdso != p.mappings->end()) {
				auto head = read_head_at(dirfd.get(), vdso->start, kCriuMarkSize);
				for (auto &m : proxy_mappings(all, parse_criu_vdso_mark(head.data(), head.size())))
					p.mappings->push_back(std::move(m));
			}
		} catch (const ProcError &e) {
			if (e.kind() == ProcError::Kind::Gone)
				throw;
			// Report what status says, without mappings, and why.
			p.mappings_error_kind = e.kind();
			p.mappings_error = e.kind() != ProcError::Kind::Denied ? e.what()
			                   : have_cap_sys_ptrace()
			                       ? "permission denied, with CAP_SYS_PTRACE: kernel.yama.ptrace_scope "
			                         "or a security module forbids reading this process's smaps"
			                       : "permission denied: reading smaps needs ptrace access to the "
			                         "process (its owner, or root with CAP_SYS_PTRACE)";
		}
		// A process that exited while it was read may have left half of
		// it behind (an empty smaps): say that it is gone rather than
		// show that.
		auto last = parse_stat(slurp("stat"));
		if (!last || last->start_time != first->start_time || (p.task == Task::Process && exited(last->state)))
			throw ProcError(ProcError::Kind::Gone, dir + ": the process exited while it was being read");
	}
	return p;
}

std::vector<pid_t> list_pids(const std::string &proc_root)
{
	std::vector<pid_t> pids;
	std::unique_ptr<DIR, int (*)(DIR *)> d(opendir(proc_root.c_str()), closedir);
	if (!d)
		throw ProcError(ProcError::Kind::Other, proc_root + ": " + std::strerror(errno));
	while (auto *e = readdir(d.get())) {
		pid_t pid = 0;
		std::string_view n = e->d_name;
		auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), pid);
		if (ec == std::errc() && p == n.data() + n.size() && pid > 0)
			pids.push_back(pid);
	}
	std::sort(pids.begin(), pids.end());
	return pids;
}

} // namespace sysmap
