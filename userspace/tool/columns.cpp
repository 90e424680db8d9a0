#include "columns.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace sysmap::cols
{

namespace
{

using enum JsonType;
using enum Scope;

// clang-format off
constexpr std::array kColumns = {
	Column{Col::Pid,     "PID",     5,    0,      "pid",          Number,  false, Process, "process ID"},
	Column{Col::User,    "USER",    8,    0,      "user",         String,  true,  Process, "owner (real user)"},
	Column{Col::Uid,     "UID",     5,    kRight, "uid",          Number,  true,  Process, "owner's user ID"},
	Column{Col::Comm,    "COMM",    15,   0,      "comm",         String,  true,  Process, "command name (at most 15 bytes)"},
	Column{Col::Command, "COMMAND", 0.3,  kTrunc, "command",      String,  true,  Process, "command line"},
	Column{Col::Task,    "TASK",    7,    0,      "task",         String,  true,  Process, "process, kernel-thread, zombie or exiting"},
	Column{Col::Image,   "IMAGE",   8,    0,      "image",        Boolean, true,  Process, "whether the running image's system mappings are sealed"},
	Column{Col::Policy,  "POLICY",  6,    0,      "policy",       String,  true,  Process, "what the next execve() does: seal or unseal"},
	Column{Col::Locked,  "LOCKED",  3,    0,      "locked",       Boolean, true,  Process, "whether the policy can no longer change"},
	Column{Col::Verdict, "VERDICT", 9,    0,      "verdict",      String,  false, Process, "sealed, unsealed, opted-out, proxy-unsealed, none or unknown"},
	Column{Col::Reason,  "REASON",  0.3,  kTrunc, "reason",       String,  true,  Process, "why something could not be read or judged"},
	Column{Col::Mapping, "MAPPING", 13,   0,      "mapping",      String,  false, Mapping, "system mapping: [vdso], [vvar], [vsyscall], ..."},
	Column{Col::Start,   "START",   14,   0,      "start",        Number,  false, Mapping, "start address"},
	Column{Col::End,     "END",     14,   0,      "end",          Number,  false, Mapping, "end address (exclusive)"},
	Column{Col::Size,    "SIZE",    6,    kRight, "size",         Number,  false, Mapping, "size in bytes"},
	Column{Col::Perms,   "PERMS",   5,    0,      "perms",        String,  false, Mapping, "permissions, as in /proc/PID/maps"},
	Column{Col::Sealed,  "SEALED",  3,    0,      "sealed",       Boolean, false, Mapping, "whether the mapping is sealed"},
	Column{Col::Flags,   "FLAGS",   0.2,  kTrunc, "flags",        String,  false, Mapping, "VmFlags of /proc/PID/smaps"},
};
// clang-format on

static_assert([] {
	for (std::size_t i = 0; i < kColumns.size(); i++)
		if (static_cast<std::size_t>(kColumns[i].id) != i)
			return false;
	return true;
}());

// Schema 2: a JSON key is its column's name in lower case, as in
// util-linux's tools.
static_assert([] {
	for (const auto &c : kColumns) {
		if (c.json_key.size() != c.name.size())
			return false;
		for (std::size_t i = 0; i < c.name.size(); i++) {
			char n = c.name[i];
			if (c.json_key[i] != (n >= 'A' && n <= 'Z' ? static_cast<char>(n - 'A' + 'a') : n))
				return false;
		}
	}
	return true;
}());

bool same_name(std::string_view a, std::string_view b)
{
	return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
		       return std::toupper(static_cast<unsigned char>(x)) ==
		              std::toupper(static_cast<unsigned char>(y));
	       });
}

} // namespace

std::span<const Column> all_columns()
{
	return kColumns;
}

const Column &column(Col id)
{
	return kColumns[static_cast<std::size_t>(id)];
}

std::string_view json_type_name(JsonType t)
{
	switch (t) {
	case Number:
		return "number";
	case String:
		return "string";
	case Boolean:
		return "boolean";
	}
	return "?";
}

std::vector<Col> parse_list(std::string_view list, const std::vector<Col> &defaults, Scope widest)
{
	std::vector<Col> out;
	if (list.starts_with('+')) {
		out = defaults;
		list.remove_prefix(1);
	}
	if (list.empty())
		throw std::invalid_argument("empty list of columns");
	while (true) {
		auto comma = list.find(',');
		auto name = list.substr(0, comma);
		auto it = std::find_if(kColumns.begin(), kColumns.end(),
		                       [&](const Column &c) { return same_name(c.name, name); });
		if (name.empty())
			throw std::invalid_argument("empty column name in '" + std::string(list) + "'");
		if (it == kColumns.end() || (widest == Process && it->scope == Mapping))
			throw std::invalid_argument("unknown column '" + std::string(name) + "'");
		out.push_back(it->id);
		if (comma == std::string_view::npos)
			break;
		list.remove_prefix(comma + 1);
	}
	return out;
}

} // namespace sysmap::cols
