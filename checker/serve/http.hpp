// cpp-httplib in front of Api (api.hpp): every request goes to Api::handle;
// this file only moves bytes. Bound to loopback unless asked otherwise, and
// then it also refuses requests whose Host is not a loopback name (a web page
// elsewhere cannot reach the explorer through DNS rebinding).
#pragma once

#include <memory>
#include <string>

#include "checker/serve/api.hpp"

namespace reapcheck::serve {

class HttpServer {
public:
    explicit HttpServer(const Api& api);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds `host:port` (port 0: a free port); returns the port, or -1 when
    /// it cannot be bound.
    int bind(const std::string& host, int port);
    /// Answers requests until stop(); returns false when it could not listen.
    bool run();
    /// Stops run() from any thread (not from a signal handler).
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace reapcheck::serve
