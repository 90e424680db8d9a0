// The columns of sysmapctl's tables, declared once: the table headings,
// -o/--output, --list-columns and the keys and types of --json all come
// from kColumns.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sysmap::cols
{

enum class Col {
	// one per process
	Pid,
	User,
	Uid,
	Comm,
	Command,
	Task,
	Image,
	Policy,
	Locked,
	Verdict,
	Reason,
	// one per system mapping
	Mapping,
	Start,
	End,
	Size,
	Perms,
	Sealed,
	Flags,
};

enum class JsonType { Number, String, Boolean };
enum class Scope { Process, Mapping };

// Column flags.
inline constexpr unsigned kRight = 1U << 0; // align to the right
inline constexpr unsigned kTrunc = 1U << 1; // may be truncated to fit a terminal

struct Column {
	Col id;
	std::string_view name;     // heading and -o name
	double whint;              // width hint for libsmartcols
	unsigned flags;            // kRight, kTrunc
	std::string_view json_key; // key in --json objects
	JsonType type;
	bool nullable; // may be null in --json (and empty in tables)
	Scope scope;
	std::string_view help;
};

// Every column, in the order of --list-columns and of the --json keys.
std::span<const Column> all_columns();
const Column &column(Col id);
std::string_view json_type_name(JsonType t);

// Parse an -o/--output list: names separated by commas, in any case. A
// list that starts with '+' adds to `defaults`. Columns of a scope wider
// than `widest` (mapping columns in audit) are refused. Throws
// std::invalid_argument naming the bad column.
std::vector<Col> parse_list(std::string_view list, const std::vector<Col> &defaults, Scope widest);

} // namespace sysmap::cols
