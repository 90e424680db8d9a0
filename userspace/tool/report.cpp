#include "report.hpp"

#include <cstdio>
#include <map>
#include <pwd.h>

#include "cli.hpp"
#include "table.hpp"

namespace sysmap::report
{

using cols::Col;

namespace
{

std::string hex(std::uint64_t v)
{
	char buf[32];
	std::snprintf(buf, sizeof(buf), "0x%012llx", static_cast<unsigned long long>(v));
	return buf;
}

std::string yes_no(bool b)
{
	return b ? "yes" : "no";
}

// Names and command lines come from other users: show control bytes
// escaped, so that none can forge lines or drive the terminal.
std::string printable(std::string_view s)
{
	return encode_cell(s, false);
}

std::string join(const std::vector<std::string> &v)
{
	std::string out;
	for (const auto &s : v)
		out += (out.empty() ? "" : " ") + s;
	return out;
}

Table make_table(const View &view)
{
	std::vector<Table::Column> tc;
	for (Col c : view.columns) {
		const auto &info = cols::column(c);
		tc.push_back({std::string(info.name), info.whint, (info.flags & cols::kRight) != 0,
		              !view.notruncate && (info.flags & cols::kTrunc) != 0});
	}
	Table t(std::move(tc));
	t.set_raw(view.raw);
	t.set_noheadings(view.noheadings);
	return t;
}

void add_row(Table &t, const View &view, const Row &row, const Mapping *m)
{
	Table::Row cells;
	for (Col c : view.columns)
		cells.push_back(cell(c, row, m));
	t.add_row(std::move(cells));
}

// One field of the schema, from the column that declares it.
void json_field(JsonWriter &j, const cols::Column &info, const Row &row, const Mapping *m)
{
	j.key(info.json_key);
	const Process *p = row.process;
	switch (info.id) {
	case Col::Pid:
		j.value(row.pid);
		return;
	case Col::Uid:
		p ? j.value(p->uid) : j.null();
		return;
	case Col::Image:
		p && p->state ? j.value(p->state->image_sealed) : j.null();
		return;
	case Col::Locked:
		p && p->state ? j.value(p->state->locked) : j.null();
		return;
	case Col::Start:
		j.value(m->start);
		return;
	case Col::End:
		j.value(m->end);
		return;
	case Col::Size:
		j.value(m->size());
		return;
	case Col::Sealed:
		j.value(m->sealed);
		return;
	case Col::Flags:
		j.value(join(m->vm_flags));
		return;
	case Col::Mapping:
		j.value(m->name);
		return;
	case Col::Perms:
		j.value(m->perms);
		return;
	default:
		break;
	}
	// The string fields are the table's cells, unescaped.
	if (info.type != cols::JsonType::String)
		throw std::logic_error("no JSON rule for column " + std::string(info.name));
	std::optional<std::string> v;
	switch (info.id) {
	case Col::User:
		if (p)
			v = user_name(p->uid);
		break;
	case Col::Comm:
		if (p)
			v = p->comm;
		break;
	case Col::Command:
		if (p)
			v = p->cmdline;
		break;
	default:
		v = cell(info.id, row, m);
		break;
	}
	v ? j.value(*v) : j.null();
}

// The columns of one scope a document carries: those -o chose, in its
// order, or every column of the schema.
std::vector<const cols::Column *> fields_of(cols::Scope scope, const std::vector<Col> *chosen)
{
	std::vector<const cols::Column *> out;
	if (chosen) {
		for (Col c : *chosen)
			if (cols::column(c).scope == scope)
				out.push_back(&cols::column(c));
	} else {
		for (const auto &info : cols::all_columns())
			if (info.scope == scope)
				out.push_back(&info);
	}
	return out;
}

void mapping_json(JsonWriter &j, const Row &row, const Mapping &m, const std::vector<const cols::Column *> &fields)
{
	j.begin_object();
	for (const auto *info : fields)
		json_field(j, *info, row, &m);
	j.end_object();
}

} // namespace

std::string user_name(uid_t uid)
{
	// One lookup per user: without nscd, each getpwuid_r() reads the
	// password database again, which costs more than reading a process.
	static std::map<uid_t, std::string> names;
	if (auto it = names.find(uid); it != names.end())
		return it->second;
	struct passwd pw, *res = nullptr;
	char buf[4096];
	std::string name = std::to_string(uid);
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		name = pw.pw_name;
	names.emplace(uid, name);
	return name;
}

std::string_view verdict_name(Verdict v)
{
	switch (v) {
	case Verdict::Sealed:
		return "sealed";
	case Verdict::Unsealed:
		return "unsealed";
	case Verdict::OptedOut:
		return "opted-out";
	case Verdict::ProxyUnsealed:
		return "proxy-unsealed";
	case Verdict::None:
		return "none";
	case Verdict::Unknown:
		break;
	}
	return "unknown";
}

std::string_view task_name(Task t)
{
	switch (t) {
	case Task::Process:
		return "process";
	case Task::KernelThread:
		return "kernel-thread";
	case Task::Zombie:
		return "zombie";
	case Task::Exiting:
		break;
	}
	return "exiting";
}

Row row_of(const Process &p)
{
	Row r{p.pid, &p, Verdict::Unknown, {}};
	r.verdict = judge(p, &r.reason);
	// Why the mappings are missing is part of the answer too.
	if (!p.mappings_error.empty())
		r.reason = r.reason.empty() ? p.mappings_error : r.reason + "; mappings: " + p.mappings_error;
	return r;
}

Row row_of(const AuditEntry &e)
{
	return {e.pid, e.process ? &*e.process : nullptr, e.verdict, e.reason};
}

std::optional<std::string> cell(Col c, const Row &row, const Mapping *m)
{
	const Process *p = row.process;
	const SealState *st = p && p->state ? &*p->state : nullptr;
	switch (c) {
	case Col::Pid:
		return std::to_string(row.pid);
	case Col::User:
		return p ? std::optional(user_name(p->uid)) : std::nullopt;
	case Col::Uid:
		return p ? std::optional(std::to_string(p->uid)) : std::nullopt;
	case Col::Comm:
		return p ? std::optional(p->comm) : std::nullopt;
	case Col::Command:
		return p ? std::optional(p->cmdline) : std::nullopt;
	case Col::Task:
		return p ? std::optional(std::string(task_name(p->task))) : std::nullopt;
	case Col::Image:
		return st ? std::optional<std::string>(st->image_sealed ? "sealed" : "unsealed") : std::nullopt;
	case Col::Policy:
		return st ? std::optional<std::string>(st->policy_seal ? "seal" : "unseal") : std::nullopt;
	case Col::Locked:
		return st ? std::optional(yes_no(st->locked)) : std::nullopt;
	case Col::Verdict:
		return std::string(verdict_name(row.verdict));
	case Col::Reason:
		return row.reason.empty() ? std::nullopt : std::optional(row.reason);
	default:
		break;
	}
	if (!m)
		return std::nullopt;
	switch (c) {
	case Col::Mapping:
		return m->name;
	case Col::Start:
		return hex(m->start);
	case Col::End:
		return hex(m->end);
	case Col::Size:
		return std::to_string(m->size());
	case Col::Perms:
		return m->perms;
	case Col::Sealed:
		return yes_no(m->sealed);
	case Col::Flags:
		return join(m->vm_flags);
	default:
		return std::nullopt;
	}
}

void process_json(JsonWriter &j, const Row &row, const std::vector<Col> *chosen)
{
	j.begin_object();
	for (const auto *info : fields_of(cols::Scope::Process, chosen))
		json_field(j, *info, row, nullptr);
	// With -o, "mappings" is there when a mapping column was chosen.
	auto mfields = fields_of(cols::Scope::Mapping, chosen);
	if (chosen && mfields.empty()) {
		j.end_object();
		return;
	}
	j.key("mappings");
	if (row.process && row.process->mappings) {
		j.begin_array();
		for (const auto &m : *row.process->mappings)
			mapping_json(j, row, m, mfields);
		j.end_array();
	} else {
		j.null();
	}
	j.end_object();
}

std::string status_line(const Process &p, bool supported)
{
	std::string out = "PID " + std::to_string(p.pid) + " (" + printable(p.comm) + ")";
	switch (p.task) {
	case Task::KernelThread:
		return out + ": kernel thread, no system mappings\n";
	case Task::Zombie:
		return out + ": zombie (exited, not yet reaped by its parent), no system mappings\n";
	case Task::Exiting:
		return out + ": exiting, its address space is already released\n";
	case Task::Process:
		break;
	}
	if (p.state)
		return out + "  image: " + (p.state->image_sealed ? "sealed" : "unsealed") +
		       "  policy: " + (p.state->policy_seal ? "seal" : "unseal") +
		       "  locked: " + yes_no(p.state->locked) + "\n";
	if (!supported)
		return out + "  sealing: not supported by this kernel\n";
	return out + "  sealing: unknown, no Mseal_sysmap: line in its status file\n";
}

std::string status_report(const std::vector<Process> &procs, bool supported, const View &view)
{
	std::string out;
	for (const auto &p : procs) {
		out += status_line(p, supported);
		if (p.task != Task::Process)
			continue;
		if (!p.mappings) {
			out += "  (mappings not readable: " + printable(p.mappings_error) + ")\n";
			continue;
		}
		Row row = row_of(p);
		Table t = make_table(view);
		t.set_indent(2);
		for (const auto &m : *p.mappings)
			add_row(t, view, row, &m);
		out += t.render();
	}
	return out;
}

std::string status_raw(const std::vector<Process> &procs, const View &view)
{
	Table t = make_table(view);
	std::vector<Row> rows;
	rows.reserve(procs.size());
	for (const auto &p : procs)
		rows.push_back(row_of(p));
	for (const auto &row : rows)
		if (row.process->mappings)
			for (const auto &m : *row.process->mappings)
				add_row(t, view, row, &m);
	return t.render();
}

std::string status_json(const std::vector<Process> &procs, bool supported, const std::vector<Col> *chosen)
{
	JsonWriter j;
	j.begin_object().key("version").value(kSchemaVersion).key("command").value("status");
	j.key("supported").value(supported).key("processes").begin_array();
	for (const auto &p : procs)
		process_json(j, row_of(p), chosen);
	j.end_array().end_object();
	return j.str() + "\n";
}

std::vector<const AuditEntry *> audit_rows(const AuditResult &r, bool verbose, bool all)
{
	std::vector<const AuditEntry *> out;
	for (const auto &e : r.entries)
		if (all || r.is_finding(e) || (verbose && e.verdict == Verdict::Unknown))
			out.push_back(&e);
	return out;
}

std::string audit_table(const AuditResult &r, const View &view, bool verbose, bool all)
{
	auto rows = audit_rows(r, verbose, all);
	if (rows.empty())
		return "";
	Table t = make_table(view);
	for (const auto *e : rows)
		add_row(t, view, row_of(*e), nullptr);
	return t.render();
}

std::string audit_summary(const AuditResult &r, bool verbose)
{
	std::string out = std::to_string(r.checked) + (r.checked == 1 ? " process" : " processes") + " checked, " +
	                  std::to_string(r.unsealed) +
	                  " with unsealed system mappings, an opted-out policy or an unsealed vDSO proxy";
	if (r.unknown)
		out += ", " + std::to_string(r.unknown) + " could not be judged" +
		       (verbose ? "" : " (--verbose lists them)");
	return out + "\n";
}

std::string audit_json(const AuditResult &r, bool all, const std::vector<Col> *chosen)
{
	JsonWriter j;
	j.begin_object().key("version").value(kSchemaVersion).key("command").value("audit");
	j.key("supported").value(true);
	j.key("checked").value(r.checked).key("unsealed").value(r.unsealed).key("unknown").value(r.unknown);
	j.key("processes").begin_array();
	for (const auto *e : audit_rows(r, true, all))
		process_json(j, row_of(*e), chosen);
	j.end_array().end_object();
	return j.str() + "\n";
}

std::string audit_json_unsupported()
{
	JsonWriter j;
	j.begin_object().key("version").value(kSchemaVersion).key("command").value("audit");
	j.key("supported").value(false);
	j.key("checked")
	    .value(std::size_t{0})
	    .key("unsealed")
	    .value(std::size_t{0})
	    .key("unknown")
	    .value(std::size_t{0});
	j.key("processes").begin_array().end_array().end_object();
	return j.str() + "\n";
}

int audit_status(const AuditResult &r, bool fail_on_unsealed)
{
	if (!fail_on_unsealed)
		return cli::kOk;
	if (r.unsealed)
		return cli::kFinding;
	if (r.unknown)
		return cli::kIncomplete;
	return cli::kOk;
}

int check_status(const CheckInfo &c)
{
	return !c.supported ? cli::kUnsupported : c.active() ? cli::kOk : cli::kFinding;
}

std::string check_text(const CheckInfo &c)
{
	std::string out;
	auto row = [&](std::string_view k, const std::string &v) {
		std::string key = std::string(k) + ":";
		key.resize(std::max<std::size_t>(key.size() + 1, 16), ' ');
		out += key + v + "\n";
	};
	row("kernel", c.sysname + " " + c.release);
	row("feature", c.supported ? "built in (CONFIG_MSEAL_SYSTEM_MAPPINGS)" : "not built in");
	row("prctl", c.prctl ? "PR_MSEAL_SYSTEM_MAPPINGS answers" : "not available");
	if (c.optout_level) {
		static const char *const kLevels[] = {"any process may opt itself out",
		                                      "needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN",
		                                      "nobody may opt out until the next boot"};
		int l = *c.optout_level;
		row("opt-out", "vm.mseal_sysmap_optout = " + std::to_string(l) +
		                   (l >= 0 && l <= 2 ? std::string(": ") + kLevels[l] : std::string()));
	}
	if (c.self.state)
		row("this process", std::string("image ") + (c.self.state->image_sealed ? "sealed" : "unsealed") +
		                        ", policy " + (c.self.state->policy_seal ? "seal" : "unseal") +
		                        (c.self.state->locked ? ", locked" : ", not locked"));
	std::string maps;
	if (c.self.mappings)
		for (const auto &m : *c.self.mappings)
			maps += (maps.empty() ? "" : ", ") + m.name + (m.sealed ? " sealed" : " not sealed");
	row("mappings", maps.empty() ? "none found" : maps);
	row("result", !c.supported ? "sealing is not supported by this kernel"
	              : c.active() ? "sealing is active"
	                           : "sealing is built in but this process was started opted out");
	return out;
}

std::string check_json(const CheckInfo &c)
{
	JsonWriter j;
	j.begin_object().key("version").value(kSchemaVersion).key("command").value("check");
	j.key("kernel").value(c.release).key("supported").value(c.supported);
	j.key("prctl").value(c.prctl.has_value()).key("active").value(c.active());
	j.key("optout_level");
	c.optout_level ? j.value(*c.optout_level) : j.null();
	j.key("process");
	process_json(j, row_of(c.self));
	j.end_object();
	return j.str() + "\n";
}

std::string list_columns(cols::Scope widest, const View &view, bool json, std::string_view command, bool supported)
{
	if (json) {
		JsonWriter j;
		j.begin_object().key("version").value(kSchemaVersion).key("command").value(command);
		j.key("supported").value(supported).key("columns").begin_array();
		for (const auto &c : cols::all_columns()) {
			if (widest == cols::Scope::Process && c.scope == cols::Scope::Mapping)
				continue;
			j.begin_object().key("name").value(c.name).key("key").value(c.json_key);
			j.key("type").value(cols::json_type_name(c.type)).key("nullable").value(c.nullable);
			j.key("object").value(c.scope == cols::Scope::Process ? "process" : "mapping");
			j.key("description").value(c.help).end_object();
		}
		j.end_array().end_object();
		return j.str() + "\n";
	}
	Table t({{"NAME", 12, false, false}, {"TYPE", 7, false, false}, {"DESCRIPTION", 0.5, false, true}});
	t.set_raw(view.raw);
	t.set_noheadings(view.noheadings);
	for (const auto &c : cols::all_columns()) {
		if (widest == cols::Scope::Process && c.scope == cols::Scope::Mapping)
			continue;
		t.add_row({std::string(c.name), std::string(cols::json_type_name(c.type)), std::string(c.help)});
	}
	return t.render();
}

} // namespace sysmap::report
