// The JSON schema of sysmapctl's --json output: the contract below is what
// sysmapctl(1) documents as schema version 2. Changing a key's name or type
// means a new version, and this test, the man page and kSchemaVersion all
// change together.
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "columns.hpp"
#include "report.hpp"

using namespace sysmap;

namespace
{

// Just enough of a JSON parser to check documents: every value keeps its
// type; objects keep their keys in order.
struct Value {
	enum Type { Null, Boolean, Number, String, Array, Object } type = Null;
	std::string text; // number or string
	bool b = false;
	std::vector<Value> items;
	std::vector<std::string> names; // of an object's fields, in order
	std::vector<Value> fields;      // (a vector of an incomplete type: no pairs)

	const Value &at(const std::string &key) const
	{
		for (std::size_t i = 0; i < names.size(); i++)
			if (names[i] == key)
				return fields[i];
		throw std::out_of_range("no key " + key);
	}
	std::vector<std::string> keys() const { return names; }
};

class Parser
{
public:
	explicit Parser(std::string_view s) : s_(s) {}
	Value document()
	{
		Value v = value();
		ws();
		if (i_ != s_.size())
			fail("trailing text");
		return v;
	}

private:
	[[noreturn]] void fail(const std::string &what)
	{
		throw std::runtime_error("JSON: " + what + " at offset " + std::to_string(i_));
	}
	void ws()
	{
		while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
			i_++;
	}
	bool eat(std::string_view tok)
	{
		ws();
		if (s_.substr(i_, tok.size()) != tok)
			return false;
		i_ += tok.size();
		return true;
	}
	void expect(char c)
	{
		if (!eat(std::string_view(&c, 1)))
			fail(std::string("expected ") + c);
	}
	std::string string()
	{
		expect('"');
		std::string out;
		while (i_ < s_.size() && s_[i_] != '"') {
			char c = s_[i_++];
			if (static_cast<unsigned char>(c) < 0x20)
				fail("control character in a string");
			if (c != '\\') {
				out += c;
				continue;
			}
			if (i_ >= s_.size())
				fail("truncated escape");
			char e = s_[i_++];
			switch (e) {
			case 'n':
				out += '\n';
				break;
			case 't':
				out += '\t';
				break;
			case 'r':
				out += '\r';
				break;
			case 'b':
				out += '\b';
				break;
			case 'f':
				out += '\f';
				break;
			case 'u':
				if (i_ + 4 > s_.size())
					fail("truncated \\u");
				out += "\\u" + std::string(s_.substr(i_, 4)); // kept as written
				i_ += 4;
				break;
			case '"':
			case '\\':
			case '/':
				out += e;
				break;
			default:
				fail("bad escape");
			}
		}
		if (i_ >= s_.size())
			fail("unterminated string");
		i_++;
		return out;
	}
	Value value()
	{
		ws();
		Value v;
		if (i_ >= s_.size())
			fail("no value");
		char c = s_[i_];
		if (c == '{') {
			i_++;
			v.type = Value::Object;
			if (eat("}"))
				return v;
			do {
				ws();
				std::string k = string();
				expect(':');
				v.names.push_back(k);
				v.fields.push_back(value());
			} while (eat(","));
			expect('}');
		} else if (c == '[') {
			i_++;
			v.type = Value::Array;
			if (eat("]"))
				return v;
			do
				v.items.push_back(value());
			while (eat(","));
			expect(']');
		} else if (c == '"') {
			v.type = Value::String;
			v.text = string();
		} else if (eat("true") || eat("false")) {
			v.type = Value::Boolean;
			v.b = s_[i_ - 1] == 'e' && s_[i_ - 2] == 'u';
		} else if (eat("null")) {
			v.type = Value::Null;
		} else {
			std::size_t b = i_;
			if (s_[i_] == '-')
				i_++;
			while (i_ < s_.size() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.' || s_[i_] == 'e' ||
			                          s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-'))
				i_++;
			if (b == i_)
				fail("unexpected character");
			v.type = Value::Number;
			v.text = std::string(s_.substr(b, i_ - b));
		}
		return v;
	}
	std::string_view s_;
	std::size_t i_ = 0;
};

Value parse(const std::string &s)
{
	return Parser(s).document();
}

// The contract: key -> "type" or "type|null", in order.
using Schema = std::vector<std::pair<std::string, std::string>>;

const Schema kProcess = {
    {"pid", "number"},          {"user", "string|null"}, {"uid", "number|null"},    {"comm", "string|null"},
    {"command", "string|null"}, {"task", "string|null"}, {"image", "boolean|null"}, {"policy", "string|null"},
    {"locked", "boolean|null"}, {"verdict", "string"},   {"reason", "string|null"}, {"mappings", "array|null"},
};
const Schema kMapping = {
    {"mapping", "string"}, {"start", "number"},   {"end", "number"},   {"size", "number"},
    {"perms", "string"},   {"sealed", "boolean"}, {"flags", "string"},
};
const Schema kStatus = {{"version", "number"}, {"command", "string"}, {"supported", "boolean"}, {"processes", "array"}};
const Schema kAudit = {{"version", "number"},  {"command", "string"}, {"supported", "boolean"}, {"checked", "number"},
                       {"unsealed", "number"}, {"unknown", "number"}, {"processes", "array"}};
const Schema kCheck = {{"version", "number"},           {"command", "string"}, {"kernel", "string"},
                       {"supported", "boolean"},        {"prctl", "boolean"},  {"active", "boolean"},
                       {"optout_level", "number|null"}, {"process", "object"}};

std::string type_of(const Value &v)
{
	static const char *const kNames[] = {"null", "boolean", "number", "string", "array", "object"};
	return kNames[v.type];
}

void check_object(const Value &v, const Schema &schema, const std::string &where)
{
	ASSERT_EQ(Value::Object, v.type) << where;
	std::vector<std::string> want;
	for (const auto &[k, t] : schema)
		want.push_back(k);
	ASSERT_EQ(want, v.keys()) << where;
	for (const auto &[k, t] : schema) {
		std::string actual = type_of(v.at(k));
		bool ok = t == actual || (actual == "null" && t.ends_with("|null")) || t.starts_with(actual + "|");
		EXPECT_TRUE(ok) << where << "." << k << " is " << actual << ", the schema says " << t;
	}
}

void check_process(const Value &p, const std::string &where)
{
	check_object(p, kProcess, where);
	const Value &maps = p.at("mappings");
	for (std::size_t i = 0; i < maps.items.size(); i++)
		check_object(maps.items[i], kMapping, where + ".mappings[" + std::to_string(i) + "]");
}

Process sealed_process()
{
	Process p;
	p.pid = 4242;
	p.uid = 0;
	p.comm = "na\"me\n";
	p.cmdline = "prog --arg";
	p.state = SealState{true, true, false};
	Mapping m;
	m.start = 0xffffffffff600000ULL;
	m.end = 0xffffffffff601000ULL;
	m.perms = "--xp";
	m.name = "[vsyscall]";
	m.sealed = true;
	m.vm_flags = {"ex", "sl"};
	p.mappings = std::vector<Mapping>{m};
	return p;
}

Process stock_process()
{
	Process p;
	p.pid = 1;
	p.comm = "init";
	p.cmdline = "/sbin/init";
	p.mappings_error = "permission denied";
	return p;
}

Process zombie()
{
	Process p;
	p.pid = 99;
	p.comm = "gone";
	p.cmdline = "[gone]";
	p.task = Task::Zombie;
	return p;
}

} // namespace

// Version 2: the keys are the columns' names in lower case ("image" and
// "mapping" were "image_sealed" and "name"), and -o chooses the fields.
TEST(Schema, VersionIsTwo)
{
	EXPECT_EQ(2, report::kSchemaVersion);
}

// Issue 24: -J honours -o, as util-linux's tools do: the chosen fields, in
// the chosen order; "mappings" only when a mapping column was chosen.
TEST(Schema, JsonHonoursOutput)
{
	using sysmap::cols::Col;
	std::vector<Col> chosen = {Col::Sealed, Col::Pid, Col::Mapping};
	auto doc = parse(report::status_json({sealed_process()}, true, &chosen));
	check_object(doc, kStatus, "status -o");
	const Value &p = doc.at("processes").items.at(0);
	EXPECT_EQ((std::vector<std::string>{"pid", "mappings"}), p.keys());
	EXPECT_EQ("4242", p.at("pid").text);
	const Value &m = p.at("mappings").items.at(0);
	EXPECT_EQ((std::vector<std::string>{"sealed", "mapping"}), m.keys());
	EXPECT_EQ("[vsyscall]", m.at("mapping").text);
	EXPECT_TRUE(m.at("sealed").b);

	std::vector<Col> process_only = {Col::Verdict, Col::Comm};
	doc = parse(report::status_json({sealed_process()}, true, &process_only));
	EXPECT_EQ((std::vector<std::string>{"verdict", "comm"}), doc.at("processes").items.at(0).keys());
}

TEST(Schema, Status)
{
	auto doc = parse(report::status_json({sealed_process(), stock_process(), zombie()}, true));
	check_object(doc, kStatus, "status");
	EXPECT_EQ("2", doc.at("version").text);
	EXPECT_EQ("status", doc.at("command").text);
	ASSERT_EQ(3u, doc.at("processes").items.size());
	for (const auto &p : doc.at("processes").items)
		check_process(p, "status.processes[]");
	const Value &p = doc.at("processes").items[0];
	EXPECT_EQ("4242", p.at("pid").text);
	EXPECT_EQ("seal", p.at("policy").text);
	EXPECT_TRUE(p.at("image").b);
	EXPECT_EQ("sealed", p.at("verdict").text);
	const Value &m = p.at("mappings").items.at(0);
	// Addresses are numbers, exact to the last digit.
	EXPECT_EQ("18446744073699065856", m.at("start").text);
	EXPECT_EQ("4096", m.at("size").text);
	EXPECT_TRUE(m.at("sealed").b);
	EXPECT_EQ("ex sl", m.at("flags").text);
	// Absent is null, never "" or false.
	const Value &stock = doc.at("processes").items[1];
	EXPECT_EQ(Value::Null, stock.at("image").type);
	EXPECT_EQ(Value::Null, stock.at("policy").type);
	EXPECT_EQ(Value::Null, stock.at("locked").type);
	EXPECT_EQ(Value::Null, stock.at("mappings").type);
	EXPECT_EQ("unknown", stock.at("verdict").text);
	const Value &z = doc.at("processes").items[2];
	EXPECT_EQ("zombie", z.at("task").text);
	EXPECT_EQ("none", z.at("verdict").text);
	EXPECT_EQ(Value::Null, z.at("reason").type);
}

TEST(Schema, Audit)
{
	AuditResult r;
	AuditEntry unreadable;
	unreadable.pid = 7;
	unreadable.verdict = Verdict::Unknown;
	unreadable.reason = "/proc/7/status: permission denied";
	AuditEntry found;
	found.pid = 4242;
	found.process = sealed_process();
	found.process->state->policy_seal = false;
	found.verdict = Verdict::OptedOut;
	r.entries = {unreadable, found};
	r.checked = 1;
	r.unsealed = 1;
	r.unknown = 1;
	auto doc = parse(report::audit_json(r, false));
	check_object(doc, kAudit, "audit");
	ASSERT_EQ(2u, doc.at("processes").items.size());
	for (const auto &p : doc.at("processes").items)
		check_process(p, "audit.processes[]");
	const Value &u = doc.at("processes").items[0];
	EXPECT_EQ("unknown", u.at("verdict").text);
	EXPECT_EQ(Value::Null, u.at("user").type);
	EXPECT_EQ(Value::Null, u.at("uid").type);
	EXPECT_EQ("/proc/7/status: permission denied", u.at("reason").text);
	EXPECT_EQ("opted-out", doc.at("processes").items[1].at("verdict").text);
	EXPECT_EQ("unseal", doc.at("processes").items[1].at("policy").text);
}

TEST(Schema, Check)
{
	report::CheckInfo c;
	c.release = "6.12.0";
	c.supported = true;
	c.optout_level = 1;
	c.self = sealed_process();
	auto doc = parse(report::check_json(c));
	check_object(doc, kCheck, "check");
	check_process(doc.at("process"), "check.process");
	EXPECT_TRUE(doc.at("active").b);
	EXPECT_EQ("1", doc.at("optout_level").text);
	c.optout_level.reset();
	EXPECT_EQ(Value::Null, parse(report::check_json(c)).at("optout_level").type);
}

// The columns declare the schema's keys and types: both agree.
TEST(Schema, ColumnsDeclareTheKeys)
{
	auto doc = parse(report::list_columns(cols::Scope::Mapping, {}, true, "status", true));
	EXPECT_EQ("2", doc.at("version").text);
	// Issue 24, 12: like every document, it says which command and whether
	// the kernel has the feature.
	EXPECT_EQ("status", doc.at("command").text);
	EXPECT_TRUE(doc.at("supported").b);
	std::map<std::string, std::string> process, mapping;
	for (const auto &[k, t] : kProcess)
		process[k] = t;
	for (const auto &[k, t] : kMapping)
		mapping[k] = t;
	ASSERT_EQ(cols::all_columns().size(), doc.at("columns").items.size());
	for (const auto &c : doc.at("columns").items) {
		auto &want = c.at("object").text == "process" ? process : mapping;
		std::string key = c.at("key").text;
		ASSERT_TRUE(want.count(key)) << key;
		std::string type = c.at("type").text + (c.at("nullable").b ? "|null" : "");
		EXPECT_EQ(want[key], type) << key;
	}
	// Audit lists only the columns of processes.
	auto audit = parse(report::list_columns(cols::Scope::Process, {}, true, "audit", false));
	EXPECT_EQ("audit", audit.at("command").text);
	EXPECT_FALSE(audit.at("supported").b);
	for (const auto &c : audit.at("columns").items)
		EXPECT_EQ("process", c.at("object").text);
}

// sysmapctl(1) documents every key of the schema, and its version.
TEST(Schema, ManPageDocumentsIt)
{
	std::ifstream f(std::string(SYSMAP_SOURCE_DIR) + "/man/sysmapctl.1");
	ASSERT_TRUE(f);
	std::stringstream ss;
	ss << f.rdbuf();
	std::string man = ss.str();
	auto json = man.find(".SH JSON OUTPUT");
	ASSERT_NE(std::string::npos, json);
	std::string section = man.substr(json, man.find("\n.SH ", json + 1) - json);
	for (const Schema *s : {&kProcess, &kMapping, &kStatus, &kAudit, &kCheck})
		for (const auto &[k, t] : *s)
			EXPECT_NE(std::string::npos, section.find(".B " + k + "\n")) << "key " << k << " undocumented";
	EXPECT_NE(std::string::npos, section.find("schema version 2")) << "schema version";
}

// Every key a jq(1) filter in sysmapctl(1)'s examples names is one of the
// schema's: an example that names a key of an older schema prints nothing.
TEST(Schema, ManPageExamplesUseItsKeys)
{
	std::ifstream f(std::string(SYSMAP_SOURCE_DIR) + "/man/sysmapctl.1");
	ASSERT_TRUE(f);
	std::set<std::string> keys;
	for (const Schema *s : {&kProcess, &kMapping, &kStatus, &kAudit, &kCheck})
		for (const auto &[k, t] : *s)
			keys.insert(k);
	const std::regex filter(R"(jq \\\(aq(.*)\\\(aq)"), key(R"(\.([A-Za-z_][A-Za-z_0-9]*))");
	int filters = 0;
	for (std::string line; std::getline(f, line);) {
		std::smatch m;
		if (!std::regex_search(line, m, filter))
			continue;
		filters++;
		std::string expr = m[1];
		for (std::sregex_iterator it(expr.begin(), expr.end(), key), end; it != end; ++it)
			EXPECT_TRUE(keys.count((*it)[1]))
			    << "jq filter '" << expr << "' names '" << (*it)[1] << "', which no document has";
	}
	EXPECT_LT(0, filters) << "no jq example found";
}

TEST(Schema, ParserRejectsBrokenDocuments)
{
	EXPECT_THROW(parse("{\"a\":}"), std::runtime_error);
	EXPECT_THROW(parse("[1,2"), std::runtime_error);
	EXPECT_THROW(parse("{} x"), std::runtime_error);
	EXPECT_EQ(Value::Boolean, parse("false").type);
	EXPECT_FALSE(parse("false").b);
	EXPECT_TRUE(parse("true").b);
}
