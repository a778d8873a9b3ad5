#include "checker/conform/proc.hpp"

#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace reapcheck::conform::proc {

std::optional<std::string> read(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

std::optional<Stat> stat(pid_t tid) {
    auto s = read("/proc/" + std::to_string(tid) + "/stat");
    if (!s) return std::nullopt;
    // comm may contain spaces and parentheses: fields resume after the last ')'.
    auto rp = s->rfind(')');
    if (rp == std::string::npos || rp + 2 >= s->size()) return std::nullopt;
    Stat st;
    st.state = (*s)[rp + 2];
    const char* p = s->c_str() + rp + 3;
    // p points at field 4
    for (int field = 4; field <= 38 && *p; ++field) {
        while (*p == ' ') ++p;
        char* end = nullptr;
        long long v = std::strtoll(p, &end, 10);
        if (end == p) break;
        if (field == 4) st.ppid = static_cast<pid_t>(v);
        if (field == 22) st.starttime = static_cast<unsigned long long>(v);
        if (field == 38) st.exit_signal = static_cast<int>(v);
        p = end;
    }
    return st;
}

std::optional<unsigned long long> status_field(pid_t tid, const std::string& key, bool hex) {
    auto s = read("/proc/" + std::to_string(tid) + "/status");
    if (!s) return std::nullopt;
    std::string k = "\n" + key + ":";
    auto pos = s->find(k);
    if (pos == std::string::npos) return std::nullopt;
    return std::strtoull(s->c_str() + pos + k.size(), nullptr, hex ? 16 : 10);
}

std::vector<pid_t> threads(pid_t tgid) {
    std::vector<pid_t> out;
    DIR* d = ::opendir(("/proc/" + std::to_string(tgid) + "/task").c_str());
    if (!d) return out;
    while (auto* e = ::readdir(d))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9') out.push_back(std::atoi(e->d_name));
    ::closedir(d);
    return out;
}

int count_processes() {
    int n = 0;
    DIR* d = ::opendir("/proc");
    if (!d) return -1;
    while (auto* e = ::readdir(d))
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9') ++n;
    ::closedir(d);
    return n;
}

}  // namespace reapcheck::conform::proc
