#include "checker/serve/api.hpp"

#include <algorithm>
#include <cctype>
#include <exception>

#include "checker/scenario/parser.hpp"
#include "checker/serve/session.hpp"
#include "properties/catalog.hpp"

namespace reapcheck::serve {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxSteps = 500;   ///< a path longer than this is refused (keeps a step fast)
constexpr std::size_t kMaxUrlPath = 100; ///< ?path= replays the path once per index

json error_json(const std::string& what) { return json{{"error", what}}; }

Response json_response(int status, const json& j) {
    // Invalid UTF-8 in a message (quoted from the request) is replaced, not thrown.
    return Response{status, "application/json", j.dump(-1, ' ', false, json::error_handler_t::replace)};
}

/// A request body as a JSON object.
json parse_body(const std::string& body) {
    if (body.empty()) return json::object();
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) throw BadRequest("the request body is not JSON");
    if (!j.is_object()) throw BadRequest("the request body is not a JSON object");
    return j;
}

std::string str_field(const json& j, const char* name, const std::string& dflt = "") {
    if (!j.contains(name) || j[name].is_null()) return dflt;
    if (!j[name].is_string()) throw BadRequest(std::string(name) + ": expected a string");
    return j[name].get<std::string>();
}

std::size_t index_field(const json& j, const char* name) {
    const json& v = j.at(name);
    if (v.is_number_unsigned()) return v.get<std::size_t>();
    if (v.is_number_integer() && v.get<long long>() >= 0) return std::size_t(v.get<long long>());
    if (v.is_string()) {   // from a URL query
        const std::string s = v.get<std::string>();
        if (!s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            return std::size_t(std::stoul(s));
    }
    throw BadRequest(std::string(name) + ": expected a number >= 0");
}

/// The path of action indices from a URL ("0,3,1") or a JSON array.
std::vector<std::size_t> path_field(const json& j) {
    std::vector<std::size_t> out;
    if (!j.contains("path") || j["path"].is_null()) return out;
    const json& p = j["path"];
    if (p.is_array()) {
        for (const json& x : p) {
            json one{{"path", x}};
            out.push_back(index_field(one, "path"));
        }
        return out;
    }
    if (!p.is_string()) throw BadRequest("path: expected action indices such as 0,3,1");
    const std::string s = p.get<std::string>();
    std::size_t start = 0;
    while (start <= s.size() && !s.empty()) {
        std::size_t end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        const std::string item = s.substr(start, end - start);
        if (item.empty() || item.size() > 9 ||
            !std::all_of(item.begin(), item.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            throw BadRequest("path: '" + item + "' is not an action index (expected indices such as 0,3,1)");
        out.push_back(std::size_t(std::stoul(item)));
        start = end + 1;
    }
    return out;
}

scn::Scenario parse_trace(const std::string& text, const std::string& file) {
    if (text.find('\0') != std::string::npos) throw BadRequest(file + ": the trace holds a NUL byte");
    scn::Scenario sc;
    try {
        sc = scn::parse_text(text, file);
    } catch (const scn::ParseError& e) {
        throw BadRequest(e.what());
    }
    if (sc.statements.size() > kMaxSteps)
        throw BadRequest(file + ": " + std::to_string(sc.statements.size()) + " statements; the explorer takes at most " +
                         std::to_string(kMaxSteps));
    return sc;
}

/// A new path starts in explicit-steps mode: kernel steps are actions.
scn::Scenario empty_path() {
    scn::Scenario sc;
    sc.file = "<path>";
    sc.explicit_steps = true;
    return sc;
}

}  // namespace

json report_entries(const std::string& text) {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw BadRequest("review: the text is not a JSON report (docs/json-schema.md)");
    json out = json::array();
    auto add = [&](const std::string& label, const std::string& profile, const json& trace) {
        if (trace.is_string() && !trace.get<std::string>().empty())
            out.push_back(json{{"label", label}, {"profile", profile}, {"trace", trace}});
    };
    auto s = [](const json& o, const char* k) { return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string(); };
    if (j.contains("results") && j["results"].is_array())
        for (const json& r : j["results"]) {
            if (!r.is_object()) continue;
            if (r.contains("verdicts") && r["verdicts"].is_array()) {   // check, review
                for (const json& v : r["verdicts"])
                    if (v.is_object() && v.contains("trace"))
                        add(s(r, "profile") + " " + s(v, "property") + " " + s(v, "verdict"), s(r, "profile"), v["trace"]);
            } else if (r.contains("trace")) {   // bmc, prove
                add(s(j, "profile") + " " + s(r, "property") + " " + s(r, "verdict"), s(j, "profile"), r["trace"]);
            }
        }
    if (j.contains("diffs") && j["diffs"].is_array())   // diff, review
        for (const json& d : j["diffs"]) {
            if (!d.is_object() || !d.contains("first") || !d["first"].is_object()) continue;
            const json& f = d["first"];
            add("diff " + s(d, "a") + " " + s(d, "b") + ": under " + s(d, "a"), s(d, "a"), f.value("trace_a", json()));
            add("diff " + s(d, "a") + " " + s(d, "b") + ": under " + s(d, "b"), s(d, "b"), f.value("trace_b", json()));
        }
    if (out.empty()) throw BadRequest("review: the JSON report holds no trace (no violation, witness or difference)");
    return out;
}

Api::Api(const engine::Bounds& bounds, std::string default_profile)
    : bounds_(bounds), default_profile_(std::move(default_profile)) {
    profile_or_bad(default_profile_, "--profile");
}

json Api::info() const {
    json j;
    json profiles = json::array();
    for (const refimpl::Profile* p : refimpl::known_profiles()) profiles.push_back(p->name);   // with a --profile FILE
    j["profiles"] = profiles;
    j["default_profile"] = default_profile_;
    j["bounds"] = bounds_.describe();
    json props = json::array();
    for (const auto& p : props::all())
        props.push_back(json{{"id", p.id}, {"kind", props::to_string(p.kind)}, {"claim", p.claim}, {"source", p.source}});
    j["properties"] = props;
    return j;
}

json Api::view(const json& req) const {
    // The starting trace: given as .scn text, or an entry of a JSON report.
    scn::Scenario sc = empty_path();
    std::string profile;
    json entries = nullptr;
    std::size_t entry = 0;
    if (req.contains("review") && !req["review"].is_null()) {
        entries = report_entries(str_field(req, "review"));
        if (req.contains("entry") && !req["entry"].is_null()) entry = index_field(req, "entry");
        if (entry >= entries.size())
            throw BadRequest("entry: the report holds " + std::to_string(entries.size()) + " traces, no entry " +
                             std::to_string(entry));
        sc = parse_trace(entries[entry]["trace"].get<std::string>(), "review entry " + std::to_string(entry));
    } else if (const std::string text = str_field(req, "trace"); !text.empty()) {
        sc = parse_trace(text, str_field(req, "file", "trace"));
    }
    profile = str_field(req, "profile", sc.profile.value_or(default_profile_));
    if (profile.empty()) profile = sc.profile.value_or(default_profile_);
    const refimpl::Profile& p = profile_or_bad(profile, "profile");
    const std::string cmp_name = str_field(req, "compare");
    const refimpl::Profile* cmp = cmp_name.empty() ? nullptr : &profile_or_bad(cmp_name, "compare");

    // Steps by action index from the end of the trace (a URL such as ?path=0,3,1).
    const std::vector<std::size_t> path = path_field(req);
    if (path.size() > kMaxUrlPath)
        throw BadRequest("path: " + std::to_string(path.size()) + " action indices; at most " + std::to_string(kMaxUrlPath));
    if (sc.statements.size() + path.size() > kMaxSteps) throw BadRequest("path: longer than " + std::to_string(kMaxSteps) + " steps");
    for (std::size_t k = 0; k < path.size(); ++k) {
        const Session s(bounds_, p, cmp, sc);
        try {
            sc = s.step(s.length(), path[k]);
        } catch (const BadRequest& e) {
            throw BadRequest("path: step " + std::to_string(k + 1) + ": " + e.what());
        }
    }
    const Session s(bounds_, p, cmp, sc);
    std::size_t at = s.length();
    if (req.contains("at") && !req["at"].is_null()) at = index_field(req, "at");
    // A profile switch may cut the path (a statement that cannot run there):
    // the page stays at its end, and the warning says why.
    if (at > s.length() && !s.warnings().empty()) at = s.length();
    json v = s.view(at);
    if (!entries.is_null()) {
        json list = json::array();
        for (const json& e : entries) list.push_back(e["label"]);
        v["entries"] = list;
        v["entry"] = entry;
    }
    return v;
}

json Api::step(const json& req) const {
    if (!req.contains("action")) throw BadRequest("action: missing (the index of an enabled action)");
    const std::size_t action = index_field(req, "action");
    const std::string text = str_field(req, "trace");
    scn::Scenario sc = text.empty() ? empty_path() : parse_trace(text, "trace");
    const std::string profile = str_field(req, "profile", sc.profile.value_or(default_profile_));
    const refimpl::Profile& p = profile_or_bad(profile.empty() ? default_profile_ : profile, "profile");
    const std::string cmp_name = str_field(req, "compare");
    const refimpl::Profile* cmp = cmp_name.empty() ? nullptr : &profile_or_bad(cmp_name, "compare");
    const Session s(bounds_, p, cmp, sc);
    const std::size_t at = req.contains("at") && !req["at"].is_null() ? index_field(req, "at") : s.length();
    if (at >= kMaxSteps) throw BadRequest("path: longer than " + std::to_string(kMaxSteps) + " steps");
    const Session next(bounds_, p, cmp, s.step(at, action));
    return next.view(at + 1);
}

json Api::load(const json& req) const {
    const std::string text = str_field(req, "text");
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    json v = req;
    v.erase("text");
    v["at"] = req.contains("at") ? req["at"] : json(0);
    if (first != std::string::npos && text[first] == '{') v["review"] = text;
    else v["trace"] = text;
    if (!req.contains("profile")) v.erase("profile");   // the trace's own profile line
    return view(v);
}

Response Api::handle(const Request& req) const {
    try {
        const bool get = req.method == "GET" || req.method == "HEAD";
        if (req.path == "/" || req.path == "/index.html") {
            if (!get) throw BadRequest("use GET for " + req.path, 405);
            json q = json::object();
            for (const auto& [k, val] : req.query) q[k] = val;
            int status = 200;
            json initial;
            try {
                initial = view(q);
            } catch (const BadRequest& e) {
                // The page still opens, on the initial world, and says why.
                status = e.status;
                initial = view(json::object());
                initial["error"] = e.what();
            }
            initial["info"] = info();
            // Inside <script>: no "<" at all, so "</script>" and "<!--" cannot occur.
            std::string data = initial.dump(-1, ' ', false, json::error_handler_t::replace);
            std::string safe;
            safe.reserve(data.size());
            for (char c : data) safe += c == '<' ? std::string("\\u003c") : std::string(1, c);
            std::string page = kPageHtml;
            page.replace(page.find("@INITIAL@"), 9, safe);
            return Response{status, "text/html; charset=utf-8", page};
        }
        if (req.path == "/app.js" || req.path == "/app.css") {
            if (!get) throw BadRequest("use GET for " + req.path, 405);
            return req.path == "/app.js" ? Response{200, "text/javascript; charset=utf-8", kAppJs}
                                         : Response{200, "text/css; charset=utf-8", kAppCss};
        }
        if (req.path == "/api/info") {
            if (!get) throw BadRequest("use GET for " + req.path, 405);
            return json_response(200, info());
        }
        if (req.path == "/api/view" || req.path == "/api/step" || req.path == "/api/load") {
            if (req.method != "POST") throw BadRequest("use POST with a JSON body for " + req.path, 405);
            const json body = parse_body(req.body);
            if (req.path == "/api/view") return json_response(200, view(body));
            if (req.path == "/api/step") return json_response(200, step(body));
            return json_response(200, load(body));
        }
        return json_response(404, error_json("no such page or endpoint: " + req.path +
                                             " (endpoints: /, /api/info, /api/view, /api/step, /api/load)"));
    } catch (const BadRequest& e) {
        return json_response(e.status, error_json(e.what()));
    } catch (const json::exception& e) {
        return json_response(400, error_json(std::string("bad request: ") + e.what()));
    } catch (const std::exception& e) {
        return json_response(500, error_json(std::string("internal error: ") + e.what()));
    }
}

}  // namespace reapcheck::serve
