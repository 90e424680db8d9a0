// sysmapctl's minimal JSON writer for --json output: objects, arrays,
// strings, numbers and booleans, with correct string escaping.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace sysmap
{

class JsonWriter
{
public:
	JsonWriter &begin_object();
	JsonWriter &end_object();
	JsonWriter &begin_array();
	JsonWriter &end_array();
	JsonWriter &key(std::string_view k);
	JsonWriter &value(std::string_view s);
	JsonWriter &value(const char *s) { return value(std::string_view(s)); }
	template <std::integral T> JsonWriter &value(T n)
	{
		if constexpr (std::same_as<T, bool>)
			return raw(n ? "true" : "false");
		else
			return raw(std::to_string(n));
	}
	JsonWriter &null();
	const std::string &str() const { return out_; }

	static std::string escape(std::string_view s);

private:
	JsonWriter &raw(std::string_view token);
	void comma();
	std::string out_;
	bool need_comma_ = false;
};

} // namespace sysmap
