// The explorer's HTTP API without sockets: a request (method, path, query,
// body) in, a response (status, content type, body) out. http.cpp puts it
// behind cpp-httplib; tests call handle() directly. Endpoints and their JSON
// are in docs/serve.md.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "checker/engine/alphabet.hpp"

namespace reapcheck::serve {

struct Request {
    std::string method;                         ///< "GET", "POST", ...
    std::string path;                           ///< "/api/view"
    std::map<std::string, std::string> query;   ///< decoded query parameters
    std::string body;
};

struct Response {
    int status = 200;
    std::string content_type;
    std::string body;
};

class Api {
public:
    Api(const engine::Bounds& bounds, std::string default_profile);
    /// Never throws: bad requests are 4xx with {"error": "..."} (or the page
    /// with the error shown), an unexpected failure is 500.
    [[nodiscard]] Response handle(const Request& req) const;

    /// The initial view of the page for its query (profile, compare, trace,
    /// review + entry, path, at); also what POST /api/view answers.
    [[nodiscard]] nlohmann::json view(const nlohmann::json& req) const;
    [[nodiscard]] nlohmann::json step(const nlohmann::json& req) const;
    [[nodiscard]] nlohmann::json load(const nlohmann::json& req) const;
    [[nodiscard]] nlohmann::json info() const;

private:
    engine::Bounds bounds_;
    std::string default_profile_;
};

/// The page and its assets, served by the binary (page.cpp): no network.
extern const char* const kPageHtml;   ///< contains @INITIAL@ where the initial view's JSON goes
extern const char* const kAppJs;
extern const char* const kAppCss;

/// Traces in a JSON report (docs/json-schema.md): check/review verdicts,
/// bmc/prove results, diff pairs (both sides). Each {"label", "profile",
/// "trace"}; BadRequest when the text is not JSON or holds no trace.
nlohmann::json report_entries(const std::string& text);

}  // namespace reapcheck::serve
