#include "checker/report/svg.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include <fmt/format.h>

namespace reapcheck::engine {

using namespace refimpl;

std::string xml_escape(const std::string& s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': o += "&amp;"; break;
        case '<': o += "&lt;"; break;
        case '>': o += "&gt;"; break;
        case '"': o += "&quot;"; break;
        case '\'': o += "&#39;"; break;
        default: o += c;
        }
    }
    return o;
}

namespace {

constexpr int kBoxW = 168, kGapX = 24, kGapY = 46, kLine = 13, kPad = 6, kMargin = 14;

/// Joins words into lines of at most `width` characters.
std::vector<std::string> wrap(const std::vector<std::string>& words, std::size_t width, const std::string& sep) {
    std::vector<std::string> lines;
    std::string cur;
    for (const auto& w : words) {
        if (!cur.empty() && cur.size() + sep.size() + w.size() > width) {
            lines.push_back(cur);
            cur.clear();
        }
        cur += (cur.empty() ? "" : sep) + w;
    }
    if (!cur.empty()) lines.push_back(cur);
    return lines;
}

struct Box {
    Id t = kNone;
    std::vector<std::string> lines;
    std::string state;
    bool changed = false;
    int depth = 0;
    double x = 0;   ///< centre
    int y = 0;      ///< top
};

}  // namespace

std::string process_tree_svg(const WorldStep& cur, const WorldStep* prev, const std::string& id) {
    const State& s = cur.state;
    std::map<Id, Box> boxes;
    std::map<Id, std::vector<Id>> kids;
    std::vector<Id> roots;
    for (Id t = 0; t < Id(s.tasks.size()); ++t) {
        if (!drawn(cur, prev, t)) continue;
        Box b;
        b.t = t;
        b.state = task_state_word(s, t);
        b.changed = prev && task_changed(cur, prev, t);
        b.lines.push_back(fmt::format("{}  pid {}", cur.name(t), s.pids[s.tasks[t].pid].nr));
        b.lines.push_back(b.state);
        for (auto& l : wrap(task_flags(s, t), 26, ", ")) b.lines.push_back(l);
        const auto fds = task_pidfds(cur, t);
        if (!fds.empty())
            for (auto& l : wrap(fds, 20, " ")) b.lines.push_back("pidfd " + l);
        boxes[t] = std::move(b);
    }
    for (auto& [t, b] : boxes) {
        const Id up = tree_parent(s, t);
        if (up != kNone && boxes.count(up)) kids[up].push_back(t);
        else roots.push_back(t);
    }
    // Tidy tree: each leaf takes one column; a parent sits over the middle
    // of its children; rows by depth.
    int column = 0, max_depth = 0;
    std::size_t max_lines = 2;
    std::function<void(Id, int)> place = [&](Id t, int depth) {
        Box& b = boxes[t];
        b.depth = depth;
        max_depth = std::max(max_depth, depth);
        max_lines = std::max(max_lines, b.lines.size());
        const auto& ks = kids[t];
        if (ks.empty()) {
            b.x = kMargin + column * (kBoxW + kGapX) + kBoxW / 2.0;
            ++column;
            return;
        }
        for (Id k : ks) place(k, depth + 1);
        b.x = (boxes[ks.front()].x + boxes[ks.back()].x) / 2;
    };
    for (Id r : roots) place(r, 0);
    const int box_h = int(max_lines) * kLine + 2 * kPad;
    for (auto& [t, b] : boxes) b.y = kMargin + b.depth * (box_h + kGapY);
    bool traced = false;   // tracer curves bulge out to the right
    for (const auto& [t, b] : boxes) traced |= s.tasks[t].ptraced;
    const int width = kMargin * 2 + std::max(column, 1) * (kBoxW + kGapX) - kGapX + (traced ? 60 : 0);
    const int height = kMargin * 2 + (max_depth + 1) * (box_h + kGapY) - kGapY;

    std::string o = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tree\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "role=\"img\" aria-label=\"process tree\">\n",
        width, height);
    o += fmt::format(
        "<defs><marker id=\"{0}-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
        "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker>"
        "<marker id=\"{0}-tarrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
        "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#3a3ab0\"/></marker></defs>\n",
        id);
    // Tree edges first, boxes over them.
    for (const auto& [up, ks] : kids)
        for (Id k : ks) {
            const Box &a = boxes[up], &b = boxes[k];
            o += fmt::format(
                "<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#333\" stroke-width=\"1.5\"{} "
                "marker-end=\"url(#{}-arrow)\"/>\n",
                a.x, a.y + box_h, b.x, b.y, s.is_leader(k) ? "" : " stroke-dasharray=\"2,3\"", id);
        }
    for (const auto& [t, b] : boxes) {
        const Task& k = s.tasks[t];
        if (!k.ptraced || k.parent == kNone || !boxes.count(k.parent)) continue;
        const Box& a = boxes[k.parent];
        // A curve from the tracer's right side to the tracee's right side.
        const double x1 = a.x + kBoxW / 2.0, y1 = a.y + box_h / 2.0;
        const double x2 = b.x + kBoxW / 2.0, y2 = b.y + box_h / 2.0;
        const double cx = std::max(x1, x2) + 40, cy = (y1 + y2) / 2;
        o += fmt::format(
            "<path d=\"M{:.1f},{:.1f} Q{:.1f},{:.1f} {:.1f},{:.1f}\" fill=\"none\" stroke=\"#3a3ab0\" "
            "stroke-width=\"1.5\" stroke-dasharray=\"6,4\" marker-end=\"url(#{}-tarrow)\"/>\n"
            "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" fill=\"#3a3ab0\">traces</text>\n",
            x1, y1, cx, cy, x2, y2, id, 0.25 * x1 + 0.5 * cx + 0.25 * x2 + 4, 0.25 * y1 + 0.5 * cy + 0.25 * y2);
    }
    for (const auto& [t, b] : boxes) {
        const double left = b.x - kBoxW / 2.0;
        o += fmt::format(
            "<g class=\"task\"><rect x=\"{:.1f}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" "
            "stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
            left, b.y, kBoxW, box_h, state_fill(b.state), b.changed ? "#e07000" : "#555", b.changed ? 3 : 1,
            b.state == "RELEASED" ? " stroke-dasharray=\"4,3\"" : "");
        for (std::size_t i = 0; i < b.lines.size(); ++i)
            o += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\"{}>{}</text>\n", left + kPad,
                             b.y + kPad + kLine * int(i + 1) - 3, i == 0 ? " font-weight=\"bold\"" : "",
                             xml_escape(b.lines[i]));
        if (b.changed)
            o += fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"9\" fill=\"#e07000\" text-anchor=\"end\">{}</text>\n",
                             left + kBoxW - kPad, b.y + kPad + kLine - 3,
                             !prev || t >= Id(prev->state.tasks.size()) ? "new" : "changed");
        o += "</g>\n";
    }
    return o + "</svg>";
}

}  // namespace reapcheck::engine
