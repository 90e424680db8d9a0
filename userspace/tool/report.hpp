// What sysmapctl prints: tables, reports and JSON documents, made from what
// libsysmap read. Kept apart from main() so that tests can check the
// formats, the JSON schema above all, on processes they make up.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "columns.hpp"
#include "json.hpp"
#include "sysmap/audit.hpp"
#include "sysmap/policy.hpp"
#include "sysmap/procfs.hpp"

namespace sysmap::report
{

// The "version" of every JSON document sysmapctl prints; see the JSON
// OUTPUT section of sysmapctl(1) for when it changes.
inline constexpr int kSchemaVersion = 2;

// How a table is shown: -o, -r, -n.
struct View {
	std::vector<cols::Col> columns;
	bool chosen = false; // -o named the columns (-J then prints just those)
	bool raw = false;
	bool noheadings = false;
	bool notruncate = false;
};

// One process, as a row: what was read of it (nothing, if it could not
// be read at all) and the verdict on it.
struct Row {
	pid_t pid = 0;
	const Process *process = nullptr;
	Verdict verdict = Verdict::Unknown;
	std::string reason;
};
Row row_of(const Process &p);
Row row_of(const AuditEntry &e);

std::string_view verdict_name(Verdict v);
std::string_view task_name(Task t);

// A cell of a table: nullopt when there is nothing to show.
std::optional<std::string> cell(cols::Col c, const Row &row, const Mapping *m);

// A process object of the schema; "mappings" is null unless the
// process's system mappings were read. `chosen` (-o) names the fields
// and their order; without it the object has every field.
void process_json(JsonWriter &j, const Row &row, const std::vector<cols::Col> *chosen = nullptr);

// status: the per-process report (default), the flat table (-r) and -J.
std::string status_line(const Process &p, bool supported);
std::string status_report(const std::vector<Process> &procs, bool supported, const View &view);
std::string status_raw(const std::vector<Process> &procs, const View &view);
std::string status_json(const std::vector<Process> &procs, bool supported,
                        const std::vector<cols::Col> *chosen = nullptr);

// audit: the rows to list (findings; with verbose, the unknown too; with
// all, every one), the summary for stderr, -J and the exit status.
std::vector<const AuditEntry *> audit_rows(const AuditResult &r, bool verbose, bool all);
std::string audit_table(const AuditResult &r, const View &view, bool verbose, bool all);
std::string audit_summary(const AuditResult &r, bool verbose);
std::string audit_json(const AuditResult &r, bool all, const std::vector<cols::Col> *chosen = nullptr);
// The document of an audit on a kernel without the feature: "supported":false.
std::string audit_json_unsupported();
int audit_status(const AuditResult &r, bool fail_on_unsealed);

// check
struct CheckInfo {
	std::string sysname, release;
	bool supported = false;
	std::optional<PolicyState> prctl; // what prctl(PR_MSEAL_SYSTEM_MAPPINGS, PR_MSEAL_SYSMAP_GET) said
	std::optional<int> optout_level;
	Process self;
	bool active() const { return supported && self.state && self.state->image_sealed; }
};
std::string check_text(const CheckInfo &c);
std::string check_json(const CheckInfo &c);
int check_status(const CheckInfo &c);

// --list-columns: the columns of one command, as a table or JSON.
// JSON: a document like every other, with "command" and "supported".
std::string list_columns(cols::Scope widest, const View &view, bool json, std::string_view command, bool supported);

// The name of a user, or the number if it has none.
std::string user_name(uid_t uid);

} // namespace sysmap::report
