// Observation of what a transition did, for the property catalog: which
// tasks were notified, reparented, reaped, killed on close. refimpl reports to
// the sink installed by the caller (one per thread); with none, nothing is
// recorded and nothing costs.
#pragma once

#include <vector>

#include "refimpl/state.hpp"

namespace reapcheck::refimpl {

struct Event {
    enum class Kind : uint8_t {
        Notify,      ///< do_notify_parent(task): to `other` (its parent); sig delivered; selfreap
        Reparent,    ///< forget_original_parent moved `task` from `from` to `other`
        Reap,        ///< wait_task_zombie by `other` consumed `task` (nowait: only reported)
        Autokill,    ///< pidfs_file_release SIGKILLed `task`'s process
        TraceHandoff ///< the EXIT_TRACE path handed `task` back to its real parent
    };
    Kind kind;
    Id task = kNone;
    Id other = kNone;
    Id from = kNone;
    int sig = 0;            ///< Notify: signal actually sent (0 = none)
    bool selfreap = false;  ///< Notify
    bool traced = false;    ///< Notify: task was traced at the call
    bool nowait = false;    ///< Reap: WNOWAIT
    int16_t status = 0;     ///< Reap: reported status
};

using EventSink = std::vector<Event>;

/// The sink of the calling thread (nullptr = not recording).
EventSink*& event_sink();

inline void emit(const Event& e) {
    if (EventSink* s = event_sink()) s->push_back(e);
}

/// Installs a sink for the lifetime of the object.
class RecordEvents {
public:
    explicit RecordEvents(EventSink& s) : prev_(event_sink()) { event_sink() = &s; }
    ~RecordEvents() { event_sink() = prev_; }
    RecordEvents(const RecordEvents&) = delete;
    RecordEvents& operator=(const RecordEvents&) = delete;
private:
    EventSink* prev_;
};

}  // namespace reapcheck::refimpl
