// Functions shared between refimpl's files, named after the kernel functions
// they mirror. Not part of the public interface (kernel.hpp).
#pragma once

#include <vector>

#include "refimpl/events.hpp"
#include "refimpl/kernel.hpp"

namespace reapcheck::refimpl::detail {

// kernel/signal.c
bool do_notify_parent(State& s, const Profile& p, Id tsk, int sig);
void wake_up_parent(State& s, Id p, Id parent);
/// group_send_sig_info(sig, t, PIDTYPE_TGID): generated at thread t (the
/// one the pid names) for its whole process (sig 1..64); `priv` is SEND_SIG_PRIV.
void group_send_sig(State& s, const Profile& p, Id t, int sig, bool priv);
/// The same with PIDTYPE_PID scope (a PIDFD_THREAD pidfd): queued on t's own
/// pending set, and only t may take it (nothing happens when t is exiting).
void thread_send_sig(State& s, const Profile& p, Id t, int sig);
bool sig_fatal_default(int sig);

// kernel/exit.c
void do_exit(State& s, const Profile& p, Id t, int16_t code);
void exit_notify(State& s, const Profile& p, Id t);
void release_task_begin(State& s, Id t);   ///< marks t EXIT_DEAD with pidfs_exit pending
void pidfs_exit(State& s, Id t);
void unhash_task(State& s, const Profile& p, Id t);
SysResult do_wait_scan(State& s, const Profile& p, Id caller, const Wait& w);

// kernel/ptrace.c
bool ptrace_detach_locked(State& s, const Profile& p, Id tracer, Id t);
void ptrace_unlink(State& s, Id t);

// fs/pidfs.c and fd tables
Id fd_lookup(const State& s, Id task, int fd);       ///< file index or kNone
int16_t fd_install(State& s, Id table, Id file);      ///< lowest free number >= 3
void fput(State& s, const Profile& p, Id file);       ///< drop a reference; last one releases
void put_files_struct(State& s, const Profile& p, Id table);
Id pidfs_register_file(State& s, Id pid, bool thread, bool nonblock); ///< kNone on ESRCH

/// Allocate a new sibling sequence number (list_add_tail order).
uint16_t next_seq(State& s);

}  // namespace reapcheck::refimpl::detail
