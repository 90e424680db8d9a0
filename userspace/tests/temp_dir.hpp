// A directory of the test's own, made with mkdtemp() under gtest's
// TempDir(), so that runs side by side on one machine never share one,
// and removed without throwing when the test ends.
#pragma once

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>

class TempDir
{
public:
	explicit TempDir(const std::string &name)
	{
		std::string tmpl = testing::TempDir() + "/" + name + "-XXXXXX";
		if (!mkdtemp(tmpl.data()))
			throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
		path_ = tmpl;
	}
	~TempDir()
	{
		std::error_code ec;
		std::filesystem::remove_all(path_, ec);
	}
	TempDir(const TempDir &) = delete;
	TempDir &operator=(const TempDir &) = delete;

	const std::string &path() const { return path_; }
	std::string operator/(const std::string &name) const { return path_ + "/" + name; }

private:
	std::string path_;
};
