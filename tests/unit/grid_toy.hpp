// A toy model for the explicit engine's tests: a point on an n x n grid with
// four moves, packed as two words (checker/explicit/explorer.hpp lists what
// a model provides). With `wrap`, x wraps around: many paths of equal length
// reach each state, so a multi-threaded search must pick the same parents as
// a single-threaded one.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace reapcheck::toys {

struct Grid {
    using State = std::pair<int, int>;
    using Action = int;
    struct Step {
        State post;
    };
    int n;
    bool wrap = false;

    State initial() const { return {0, 0}; }
    void actions(const State&, std::vector<Action>& out) const { out = {0, 1, 2, 3}; }
    Step step(const State& s, const Action& a) const {
        State t = s;
        if (wrap) {
            if (a == 0) t.first = (t.first + 1) % n;
            if (a == 1) t.first = (t.first + n - 1) % n;
        } else {
            if (a == 0 && t.first + 1 < n) ++t.first;
            if (a == 1 && t.first > 0) --t.first;
        }
        if (a == 2 && t.second + 1 < n) ++t.second;
        if (a == 3 && t.second > 0) --t.second;
        return {t};
    }
    void canonical(const State& s, State& c, std::vector<uint64_t>& w) const {
        c = s;
        w = {3, uint64_t(s.first), uint64_t(s.second)};
    }
    State unpack(const std::vector<uint64_t>& w) const { return {int(w[1]), int(w[2])}; }
    bool unchanged(const State& s, const Step& t) const { return s == t.post; }
};

}  // namespace reapcheck::toys
