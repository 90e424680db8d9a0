#include "cli.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <getopt.h>
#include <span>

namespace sysmap::cli
{

namespace
{

// Long options without a short form.
enum : int {
	kOptFailOnUnsealed = 0x100,
	kOptSeal,
	kOptUnseal,
	kOptLock,
	kOptTree,
	kOptProxies,
};

// Every option, declared once: getopt_long()'s tables and the help text
// are both made from these.
struct Opt {
	int val; // the short option, or a kOpt* above 0xff
	const char *name;
	const char *arg; // nullptr: takes no argument
	const char *help;
};

// clang-format off
constexpr Opt kHelp{'h', "help", nullptr, "display this help"};
constexpr Opt kVersion{'V', "version", nullptr, "display version"};
constexpr Opt kJson{'J', "json", nullptr, "one JSON document (its schema is in sysmapctl(1))"};
constexpr Opt kRaw{'r', "raw", nullptr, "raw output: one line per row, values escaped"};
constexpr Opt kNoheadings{'n', "noheadings", nullptr, "do not print table headings"};
constexpr Opt kListColumns{'H', "list-columns", nullptr, "list the columns and exit"};
constexpr Opt kOutputAll{'O', "output-all", nullptr, "every column"};
constexpr Opt kNotruncate{'u', "notruncate", nullptr, "do not truncate text in columns"};
constexpr Opt kPid{'p', "pid", "pid[,...]", "only these processes"};

constexpr Opt kGlobalOpts[] = {kHelp, kVersion};
constexpr Opt kStatusOpts[] = {
	kPid,
	{'o', "output", "list", "columns of the mapping tables\n(+list: add to the default)"},
	kOutputAll, kListColumns, kJson,
	{'r', "raw", nullptr, "one flat table of every process's mappings,\nvalues escaped"},
	kNoheadings, kNotruncate, kHelp, kVersion,
};
constexpr Opt kAuditOpts[] = {
	{kOptFailOnUnsealed, "fail-on-unsealed", nullptr,
	 "exit 1 if a process is unsealed or opted out,\n5 if some could not be judged"},
	{'v', "verbose", nullptr, "also list the processes that could not be judged"},
	{'a', "all", nullptr, "list every process"},
	{kOptProxies, "proxies", nullptr,
	 "also read each process's mappings and find\nvDSO proxies a CRIU restore left unsealed\n(slower; needs ptrace access)"},
	kPid,
	{'o', "output", "list", "columns to show (+list: add to the default)"},
	kOutputAll, kListColumns, kJson, kRaw, kNoheadings, kNotruncate, kHelp, kVersion,
};
constexpr Opt kCheckOpts[] = {kJson, kHelp, kVersion};
constexpr Opt kExecOpts[] = {
	{kOptUnseal, "unseal", nullptr,
	 "the program and its descendants run with\nunsealed system mappings (CRIU, rr, gVisor);\n"
	 "needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN\nunless vm.mseal_sysmap_optout is 0"},
	{kOptSeal, "seal", nullptr, "the program runs sealed (every process's default)"},
	{kOptLock, "lock", nullptr, "with --seal: the policy can never change again,\nfor the program and all its descendants"},
	kHelp, kVersion,
};
constexpr Opt kSealOpts[] = {
	{kOptTree, "tree", nullptr, "also every descendant of each PID"},
	{kOptLock, "lock", nullptr, "lock the policy: it can never change again"},
	{'v', "verbose", nullptr, "print each process's state once sealed"},
	kHelp, kVersion,
};
constexpr Opt kCriuOpts[] = {kHelp, kVersion};
// clang-format on

// Options that exclude each other, per group; see sysmapctl(1).
constexpr std::array<std::array<int, 2>, 3> kExclusive = {{
    {'J', 'r'},             // one output format
    {'o', 'O'},             // one list of columns
    {kOptSeal, kOptUnseal}, // one policy
}};

// getopt_long()'s view of a table of options.
struct Getopt {
	std::string shortopts;
	std::vector<option> longopts;

	Getopt(std::span<const Opt> opts, bool stop_at_operand)
	{
		// '+': stop at the first operand (exec: the program's own options
		// follow it); ':': report a missing argument as ':'.
		shortopts = stop_at_operand ? "+:" : ":";
		for (const Opt &o : opts) {
			if (o.val < 0x100) {
				shortopts += static_cast<char>(o.val);
				if (o.arg)
					shortopts += ':';
			}
			longopts.push_back({o.name, o.arg ? required_argument : no_argument, nullptr, o.val});
		}
		longopts.push_back({nullptr, 0, nullptr, 0});
	}
};

std::string help_for(std::span<const Opt> opts)
{
	std::string out = "Options:\n";
	for (const Opt &o : opts) {
		// As util-linux: a blank line between a command's own options and
		// -h/-V.
		if (o.val == 'h' && &o != &opts.front())
			out += "\n";
		std::string left = o.val < 0x100 ? std::string(" -") + static_cast<char>(o.val) + ", " : "     ";
		left += std::string("--") + o.name;
		if (o.arg)
			left += std::string(" <") + o.arg + ">";
		std::string_view help = o.help;
		bool first = true;
		while (!help.empty()) {
			auto nl = help.find('\n');
			std::string pad(first ? (left.size() < 27 ? 27 - left.size() : 1) : 27, ' ');
			out += (first ? left : std::string()) + pad + std::string(help.substr(0, nl)) + "\n";
			first = false;
			help.remove_prefix(nl == std::string_view::npos ? help.size() : nl + 1);
		}
	}
	return out;
}

struct Spec {
	Command command;
	std::string_view name;
	std::span<const Opt> opts;
};

constexpr Spec kSpecs[] = {
    {Command::Status, "status", kStatusOpts}, {Command::Exec, "exec", kExecOpts}, {Command::Audit, "audit", kAuditOpts},
    {Command::Check, "check", kCheckOpts},    {Command::Seal, "seal", kSealOpts}, {Command::Criu, "criu", kCriuOpts},
};

std::string option_name(std::span<const Opt> opts, int val)
{
	for (const Opt &o : opts)
		if (o.val == val)
			return std::string("--") + o.name;
	return std::string("-") + static_cast<char>(val);
}

void add_pids(Options &o, std::string_view list)
{
	while (true) {
		auto comma = list.find(',');
		auto s = list.substr(0, comma);
		pid_t pid = 0;
		auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), pid);
		if (ec != std::errc() || p != s.data() + s.size() || pid <= 0)
			throw UsageError(o.command, "'" + std::string(s) + "' is not a process ID");
		o.pids.push_back(pid);
		if (comma == std::string_view::npos)
			return;
		list.remove_prefix(comma + 1);
	}
}

// getopt_long() over a copy of args; `first` is the argv[0] to show.
class Argv
{
public:
	Argv(const std::string &first, std::vector<std::string>::const_iterator b,
	     std::vector<std::string>::const_iterator e)
	{
		store_.push_back(first);
		store_.insert(store_.end(), b, e);
		for (auto &s : store_)
			ptrs_.push_back(s.data());
		ptrs_.push_back(nullptr);
	}
	int argc() const { return static_cast<int>(ptrs_.size()) - 1; }
	char **argv() { return ptrs_.data(); }
	std::string at(int i) const { return store_[static_cast<std::size_t>(i)]; }

private:
	std::vector<std::string> store_;
	std::vector<char *> ptrs_;
};

// Reset getopt's state for a new scan (glibc: optind = 0).
void reset_getopt()
{
	optind = 0;
	opterr = 0;
}

std::string unknown_option(Argv &args, std::span<const Opt> opts)
{
	// getopt_long() reports an unknown long option through optind - 1, and
	// an unknown short one through optopt.
	std::string arg = args.at(optind - 1);
	if (optopt && !arg.starts_with("--"))
		return std::string("-") + static_cast<char>(optopt);
	if (optopt)
		return option_name(opts, optopt);
	return arg.substr(0, arg.find('='));
}

// Why getopt_long() refused the argument at optind - 1, as util-linux's
// tools say it: an option that takes no argument given one ("--unseal=1"),
// an abbreviation that fits more than one option ("--v"), or an unknown one.
std::string refused_option(Argv &args, std::span<const Opt> opts, std::string_view command)
{
	std::string arg = args.at(optind - 1);
	if (arg.starts_with("--") && arg.size() > 2) {
		std::string given = arg.substr(2, arg.find('=') - 2);
		std::vector<std::string> fits;
		for (const Opt &o : opts) {
			std::string_view n = o.name;
			if (n == given) {
				fits = {n.data()};
				break;
			}
			if (n.starts_with(given))
				fits.emplace_back(n);
		}
		if (fits.size() > 1) {
			std::string all;
			for (const auto &f : fits)
				all += " '--" + f + "'";
			return "option '--" + given + "' is ambiguous; possibilities:" + all;
		}
		if (fits.size() == 1 && arg.find('=') != std::string::npos)
			for (const Opt &o : opts)
				if (fits[0] == o.name && !o.arg)
					return "option '--" + fits[0] + "' doesn't allow an argument";
	}
	return "'" + std::string(command) + "' does not take option '" + unknown_option(args, opts) + "'";
}

} // namespace

std::string_view name(Command command)
{
	for (const auto &s : kSpecs)
		if (s.command == command)
			return s.name;
	return "";
}

int usage_status(Command command)
{
	return command == Command::Exec || command == Command::Criu ? kExecFailed : kUsage;
}

Options parse(const std::vector<std::string> &args)
{
	Options o;
	// Options before the command: --help, --version.
	Argv global("sysmapctl", args.begin(), args.end());
	Getopt gg(kGlobalOpts, true);
	reset_getopt();
	for (int c; (c = getopt_long(global.argc(), global.argv(), gg.shortopts.c_str(), gg.longopts.data(),
	                             nullptr)) != -1;) {
		switch (c) {
		case 'h':
			o.help = true;
			break;
		case 'V':
			o.version = true;
			break;
		default:
			throw UsageError(Command::None,
			                 "unrecognized option '" + unknown_option(global, kGlobalOpts) + "'");
		}
	}
	auto rest = args.begin() + (optind - 1);
	if (o.help || o.version)
		return o;
	if (rest == args.end())
		throw UsageError(Command::None, "no command given");
	if (*rest == "help") {
		o.help = true;
		if (rest + 1 != args.end()) {
			auto spec = std::find_if(std::begin(kSpecs), std::end(kSpecs),
			                         [&](const Spec &s) { return s.name == *(rest + 1); });
			if (spec == std::end(kSpecs))
				throw UsageError(Command::None, "unknown command '" + *(rest + 1) + "'");
			o.command = spec->command;
		}
		return o;
	}
	auto spec = std::find_if(std::begin(kSpecs), std::end(kSpecs), [&](const Spec &s) { return s.name == *rest; });
	if (spec == std::end(kSpecs))
		throw UsageError(Command::None,
		                 "unknown command '" + *rest + "'; commands: status, exec, audit, check, seal, criu");
	o.command = spec->command;

	Argv sub("sysmapctl " + std::string(spec->name), rest + 1, args.end());
	std::vector<int> seen;
	Getopt g(spec->opts, o.command == Command::Exec || o.command == Command::Criu);
	reset_getopt();
	for (int c; (c = getopt_long(sub.argc(), sub.argv(), g.shortopts.c_str(), g.longopts.data(), nullptr)) != -1;) {
		for (const auto &group : kExclusive) {
			if (std::find(group.begin(), group.end(), c) == group.end())
				continue;
			for (int other : group)
				if (other != c && std::find(seen.begin(), seen.end(), other) != seen.end())
					throw UsageError(o.command, option_name(spec->opts, other) + " and " +
					                                option_name(spec->opts, c) +
					                                " exclude each other");
		}
		seen.push_back(c);
		switch (c) {
		case 'h':
			o.help = true;
			break;
		case 'V':
			o.version = true;
			break;
		case 'J':
			o.json = true;
			break;
		case 'r':
			o.raw = true;
			break;
		case 'n':
			o.noheadings = true;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'p':
			add_pids(o, optarg);
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'a':
			o.all = true;
			break;
		case 'H':
			o.list_columns = true;
			break;
		case 'O':
			o.output_all = true;
			break;
		case 'u':
			o.notruncate = true;
			break;
		case kOptFailOnUnsealed:
			o.fail_on_unsealed = true;
			break;
		case kOptProxies:
			o.proxies = true;
			break;
		case kOptSeal:
		case kOptUnseal:
			o.seal = c == kOptSeal;
			break;
		case kOptLock:
			o.lock = true;
			break;
		case kOptTree:
			o.tree = true;
			break;
		case ':':
			throw UsageError(o.command,
			                 "option '" + unknown_option(sub, spec->opts) + "' needs an argument");
		default:
			throw UsageError(o.command, refused_option(sub, spec->opts, spec->name));
		}
	}
	if (o.help || o.version)
		return o;

	// getopt_long() has moved the operands behind the options.
	std::vector<std::string> operands(sub.argv() + optind, sub.argv() + sub.argc());
	switch (o.command) {
	case Command::Status:
		for (const auto &a : operands)
			add_pids(o, a);
		break;
	case Command::Exec:
		o.program = operands;
		if (o.program.empty())
			throw UsageError(o.command,
			                 "no program given: sysmapctl exec [--unseal | --seal] [--lock] [--] "
			                 "PROGRAM [ARGUMENT...]");
		if (o.lock && o.seal == false)
			throw UsageError(o.command, "--lock needs sealing on: a locked opt-out is not allowed");
		if (o.lock)
			o.seal = true;
		break;
	case Command::Seal:
		for (const auto &a : operands)
			add_pids(o, a);
		if (o.pids.empty())
			throw UsageError(o.command, "no process given: sysmapctl seal [--tree] [--lock] PID...");
		break;
	case Command::Criu:
		o.program = operands;
		if (o.program.empty())
			throw UsageError(o.command, "no criu command given: sysmapctl criu [--] criu dump|restore ...");
		break;
	default:
		if (!operands.empty())
			throw UsageError(o.command, "'" + std::string(spec->name) + "' takes no arguments ('" +
			                                operands[0] + "')");
		break;
	}
	if (o.output && !o.list_columns) {
		try {
			(void)cols::parse_list(*o.output, default_columns(o.command, o),
			                       o.command == Command::Audit ? cols::Scope::Process
			                                                   : cols::Scope::Mapping);
		} catch (const std::invalid_argument &e) {
			throw UsageError(o.command, std::string(e.what()) + " in --output; --list-columns lists them");
		}
	}
	return o;
}

std::vector<cols::Col> default_columns(Command command, const Options &o)
{
	using enum cols::Col;
	if (command == Command::Audit) {
		// COMMAND last, as in util-linux: the one column of unbounded width.
		if (o.verbose || o.all)
			return {Pid, User, Verdict, Image, Policy, Locked, Reason, Command};
		return {Pid, User, Image, Policy, Locked, Command};
	}
	if (o.raw)
		return {Pid, Mapping, Start, End, Perms, Sealed};
	return {Mapping, Start, End, Perms, Sealed};
}

std::vector<cols::Col> all_columns(Command command, const Options &o)
{
	std::vector<cols::Col> out;
	if (command == Command::Audit) {
		// Every process column, COMMAND last.
		for (const auto &c : cols::all_columns())
			if (c.scope == cols::Scope::Process && c.id != cols::Col::Command)
				out.push_back(c.id);
		out.push_back(cols::Col::Command);
		return out;
	}
	// status: every mapping column, after the PID in a raw table.
	if (o.raw)
		out.push_back(cols::Col::Pid);
	for (const auto &c : cols::all_columns())
		if (c.scope == cols::Scope::Mapping)
			out.push_back(c.id);
	return out;
}

std::string usage(Command command)
{
	std::string head, tail = "\nFor more details see sysmapctl(1).\n";
	std::span<const Opt> opts = kGlobalOpts;
	switch (command) {
	case Command::Status:
		head = " sysmapctl status [options] [PID...]\n"
		       "\n"
		       "Show the system mappings (vDSO, vvar, ...) of processes, with their address\n"
		       "range and whether they are sealed, and each process's policy.\n"
		       "Without a PID, show sysmapctl's own process.\n";
		opts = kStatusOpts;
		break;
	case Command::Exec:
		head = " sysmapctl exec [--unseal | --seal [--lock]] [--] PROGRAM [ARGUMENT...]\n"
		       "\n"
		       "Put a sealing policy in force, then execute PROGRAM with it.\n"
		       "Without a policy option the policy is left as it is.\n";
		tail = "\nExit status: PROGRAM's; 125 if sysmapctl fails, 126 if PROGRAM cannot be\n"
		       "executed, 127 if it is not found.\n" +
		       tail;
		opts = kExecOpts;
		break;
	case Command::Audit:
		head = " sysmapctl audit [options]\n"
		       "\n"
		       "List every process whose system mappings are unsealed, or whose policy is\n"
		       "opted out, with its owner and command line. A summary goes to stderr.\n";
		opts = kAuditOpts;
		break;
	case Command::Check:
		head = " sysmapctl check [options]\n"
		       "\n"
		       "Report what this kernel supports and whether sealing is active for this\n"
		       "process.\n";
		tail = "\nExit status: 0 active, 1 built in but not active here, 4 not supported by\n"
		       "the kernel.\n" +
		       tail;
		opts = kCheckOpts;
		break;
	case Command::Seal:
		head = " sysmapctl seal [--tree] [--lock] PID...\n"
		       "\n"
		       "Seal the system mappings of running processes now, and set their policy to\n"
		       "seal: each process makes the call itself, with ptrace (the rights of a\n"
		       "debugger are needed). A process blocked in a system call resumes it; a\n"
		       "stopped one stays stopped.\n";
		tail = "\nExit status: 0 all sealed, 3 a process could not be sealed, 4 not supported\n"
		       "by the kernel.\n" +
		       tail;
		opts = kSealOpts;
		break;
	case Command::Criu:
		head = " sysmapctl criu [--] CRIU-COMMAND [ARGUMENT...]\n"
		       "\n"
		       "Run criu opted out of sealing. 'criu dump' also records each process's\n"
		       "sealing state in DIR/sysmap-policy; 'criu restore' is run detached and\n"
		       "stopped, each restored process gets its recorded state back (sealed unless\n"
		       "it was opted out), and then the tree continues.\n";
		tail = "\nExit status: criu's; 125 if sysmapctl fails, 126 if criu cannot be executed,\n"
		       "127 if it is not found.\n" +
		       tail;
		opts = kCriuOpts;
		break;
	case Command::None:
		head = " sysmapctl COMMAND [options]\n"
		       "\n"
		       "Inspect, audit and control the sealing of system mappings (vDSO, vvar,\n"
		       "vsyscall, uprobes) that the kernel applies at execve().\n"
		       "\n"
		       "Commands:\n"
		       " status [PID...]                         system mappings and policy of processes\n"
		       " exec [--unseal | --seal [--lock]] --    run a program with a chosen policy\n"
		       " audit [--fail-on-unsealed]              find unsealed or opted-out processes\n"
		       " check                                   what this kernel supports\n"
		       " seal [--tree] [--lock] PID...           seal running processes now\n"
		       " criu -- criu dump|restore ...           checkpoint/restore, sealing kept\n";
		tail = "\nRun 'sysmapctl COMMAND --help' for the options of a command.\n" + tail;
		break;
	}
	std::string columns;
	if (command == Command::Status || command == Command::Audit) {
		columns = "\nAvailable output columns:\n";
		for (const auto &c : cols::all_columns()) {
			if (command == Command::Audit && c.scope == cols::Scope::Mapping)
				continue;
			std::string name(c.name);
			name.resize(std::max<std::size_t>(name.size() + 1, 12), ' ');
			columns += " " + name + std::string(c.help) + "\n";
		}
	}
	return "Usage:\n" + head + "\n" + help_for(opts) + columns + tail;
}

} // namespace sysmap::cli
