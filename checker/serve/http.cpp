#include "checker/serve/http.hpp"

#include <httplib.h>

namespace reapcheck::serve {

namespace {

constexpr std::size_t kMaxBody = 4u << 20;   ///< larger requests get 413 from httplib

bool loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

/// The host of a Host header ("127.0.0.1:8017", "[::1]:8017").
std::string host_name(const std::string& h) {
    if (!h.empty() && h[0] == '[') return h.substr(1, h.find(']') == std::string::npos ? 0 : h.find(']') - 1);
    return h.substr(0, h.find(':'));
}

}  // namespace

struct HttpServer::Impl {
    const Api& api;
    httplib::Server svr;
    bool check_host = true;
    explicit Impl(const Api& a) : api(a) {}
};

HttpServer::HttpServer(const Api& api) : impl_(std::make_unique<Impl>(api)) {
    Impl& im = *impl_;
    im.svr.new_task_queue = [] { return new httplib::ThreadPool(4); };
    im.svr.set_payload_max_length(kMaxBody);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a
    // second server would share a port in use instead of failing.
    im.svr.set_socket_options([](int sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    // Every method and path goes to Api::handle (which answers 404 and 405);
    // route handlers, not the pre-routing one, see the request body.
    auto handler = [&im](const httplib::Request& req, httplib::Response& res) {
        Response out;
        if (im.check_host && !loopback(host_name(req.get_header_value("Host")))) {
            out = Response{403, "application/json",
                           R"J({"error":"this explorer answers only to 127.0.0.1 and localhost (Host header)"})J"};
        } else {
            Request r;
            r.method = req.method;
            r.path = req.path;
            for (const auto& [k, v] : req.params) r.query[k] = v;
            r.body = req.body;
            out = im.api.handle(r);
        }
        res.status = out.status;
        res.set_header("Cache-Control", "no-store");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        res.set_content(out.body, out.content_type.c_str());
    };
    im.svr.Get(".*", handler);
    im.svr.Post(".*", handler);
    im.svr.Put(".*", handler);
    im.svr.Patch(".*", handler);
    im.svr.Delete(".*", handler);
    im.svr.Options(".*", handler);
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::bind(const std::string& host, int port) {
    impl_->check_host = loopback(host);
    if (port == 0) return impl_->svr.bind_to_any_port(host);
    return impl_->svr.bind_to_port(host, port) ? port : -1;
}

bool HttpServer::run() { return impl_->svr.listen_after_bind(); }

void HttpServer::stop() { impl_->svr.stop(); }

}  // namespace reapcheck::serve
