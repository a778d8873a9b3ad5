// Inline SVG pictures of the process tree at one step of a trace, for the
// HTML report: a box per task (name, pid, state, flags, pidfds), arrows
// parent -> child, dotted arrows leader -> thread, dashed arrows tracer ->
// tracee, and what changed since the previous step outlined in orange.
#pragma once

#include <string>

#include "checker/report/world_trace.hpp"

namespace reapcheck::engine {

/// `&`, `<`, `>`, `"` and `'` as XML/HTML character references.
std::string xml_escape(const std::string& s);

/// A self-contained <svg> element. `id_prefix` keeps the ids of its marker
/// definitions unique within one page.
std::string process_tree_svg(const WorldStep& cur, const WorldStep* prev, const std::string& id_prefix);

}  // namespace reapcheck::engine
