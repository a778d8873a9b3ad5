// The puppet side of conformance runs (see puppet.hpp). Everything here runs in
// processes and threads created by raw clone/clone3, so it avoids libc, the
// heap, TLS and sanitizer instrumentation: raw syscalls on stack data only.
#include "checker/conform/puppet.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#if !defined(__x86_64__)
#error "conformance puppets are written for x86_64"
#endif

extern char** environ;

namespace reapcheck::conform {
namespace {

#define RC_NOSAN __attribute__((no_sanitize("address", "undefined"), no_stack_protector))

using wire::Cmd;
using wire::Op;
using wire::Reply;

RC_NOSAN inline long sys(long n, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0,
                         long f = 0) {
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

template <class T>
RC_NOSAN inline long P(T* p) { return reinterpret_cast<long>(p); }

}  // namespace
}  // namespace reapcheck::conform

// Trampolines: the child of a raw clone must not return into the C++ frame it
// was created from (with CLONE_VM it runs on a fresh stack), so it calls
// fn(arg) from assembly and exits with its return value.
//   long rc_clone3_tramp(void* args, long size, int (*fn)(void*), void* arg)
//   long rc_clone_tramp(long flags, void* stack, int* ptid, int (*fn)(void*), void* arg)
__asm__(
    ".text\n"
    ".globl rc_clone3_tramp\n"
    ".type rc_clone3_tramp,@function\n"
    "rc_clone3_tramp:\n"
    "  push %r12\n"
    "  push %r13\n"
    "  mov %rdx, %r12\n"
    "  mov %rcx, %r13\n"
    "  mov $435, %eax\n"
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jz 1f\n"
    "  pop %r13\n"
    "  pop %r12\n"
    "  ret\n"
    "1:\n"
    "  xor %ebp, %ebp\n"
    "  and $-16, %rsp\n"
    "  mov %r13, %rdi\n"
    "  call *%r12\n"
    "  mov %eax, %edi\n"
    "  mov $60, %eax\n"
    "  syscall\n"
    "  hlt\n"
    ".size rc_clone3_tramp, .-rc_clone3_tramp\n"
    ".globl rc_clone_tramp\n"
    ".type rc_clone_tramp,@function\n"
    "rc_clone_tramp:\n"
    "  push %r12\n"
    "  push %r13\n"
    "  mov %rcx, %r12\n"
    "  mov %r8, %r13\n"
    "  xor %r10d, %r10d\n"
    "  xor %r8d, %r8d\n"
    "  mov $56, %eax\n"
    "  syscall\n"
    "  test %rax, %rax\n"
    "  jz 2f\n"
    "  pop %r13\n"
    "  pop %r12\n"
    "  ret\n"
    "2:\n"
    "  xor %ebp, %ebp\n"
    "  and $-16, %rsp\n"
    "  mov %r13, %rdi\n"
    "  call *%r12\n"
    "  mov %eax, %edi\n"
    "  mov $60, %eax\n"
    "  syscall\n"
    "  hlt\n"
    ".size rc_clone_tramp, .-rc_clone_tramp\n"
    ".globl rc_sigreturn\n"
    ".type rc_sigreturn,@function\n"
    "rc_sigreturn:\n"
    "  mov $15, %eax\n"
    "  syscall\n"
    "  hlt\n"
    ".size rc_sigreturn, .-rc_sigreturn\n");

extern "C" long rc_clone3_tramp(void* args, long size, int (*fn)(void*), void* arg);
extern "C" long rc_clone_tramp(long flags, void* stack, int* ptid, int (*fn)(void*), void* arg);
extern "C" void rc_sigreturn();

namespace reapcheck::conform {
namespace {

constexpr long kStackSize = 64 * 1024;
constexpr int kSigchldBit = 1 << (SIGCHLD - 1);

struct KernelSigaction {
    unsigned long handler;
    unsigned long flags;
    unsigned long restorer;
    unsigned long mask;
};

struct CloneArgs {   // struct clone_args, VER2 (88 bytes)
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};
static_assert(sizeof(CloneArgs) == 88);

struct ChildArgs {
    int parent_channel;
    int passed_end;    // the end the parent hands to the controller
    int own_end;       // the child's channel
    int files_shared;
};

extern "C" RC_NOSAN void rc_noop_handler(int) {}

RC_NOSAN void zero(void* p, size_t n) {
    volatile unsigned char* c = static_cast<volatile unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) c[i] = 0;
}

RC_NOSAN int move_high(int fd) {
    long nfd = sys(SYS_fcntl, fd, F_DUPFD_CLOEXEC, wire::kChannelFdBase);
    sys(SYS_close, fd);
    return static_cast<int>(nfd);
}

RC_NOSAN int parse_int(const char*& s) {
    int v = 0;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return v;
}

RC_NOSAN void send_hello(int ch, int execed) {
    wire::Hello h;
    h.magic = wire::kHelloMagic;
    h.ns_tid = static_cast<int32_t>(sys(SYS_gettid));
    h.ns_tgid = static_cast<int32_t>(sys(SYS_getpid));
    h.g_tid = h.g_tgid = -1;
    char buf[64];
    zero(buf, sizeof buf);
    // /proc is the controller's procfs, so /proc/thread-self names our ids there.
    long n = sys(SYS_readlinkat, AT_FDCWD, P("/proc/thread-self"), P(buf), sizeof buf - 1);
    if (n > 0) {
        const char* s = buf;
        h.g_tgid = parse_int(s);
        if (*s == '/') {
            while (*s && (*s < '0' || *s > '9')) ++s;
            h.g_tid = parse_int(s);
        }
    }
    h.execed = execed;
    sys(SYS_sendto, ch, P(&h), sizeof h, MSG_NOSIGNAL, 0, 0);
}

RC_NOSAN void send_reply(int ch, const Reply& r, int pass_fd) {
    struct iovec iov;
    iov.iov_base = const_cast<Reply*>(&r);
    iov.iov_len = sizeof r;
    struct msghdr mh;
    zero(&mh, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    alignas(struct cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
    zero(cbuf, sizeof cbuf);
    if (pass_fd >= 0) {
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof cbuf;
        struct cmsghdr* cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        *reinterpret_cast<int*>(CMSG_DATA(cm)) = pass_fd;
    }
    sys(SYS_sendmsg, ch, P(&mh), MSG_NOSIGNAL);
}

[[noreturn]] RC_NOSAN void puppet_loop(int ch, int execed);

RC_NOSAN int child_entry(void* p) {
    const ChildArgs* ca = static_cast<const ChildArgs*>(p);
    int own = ca->own_end;
    if (!ca->files_shared) {
        sys(SYS_close, ca->parent_channel);
        sys(SYS_close, ca->passed_end);
    }
    puppet_loop(own, 0);
}

/// clone3 / clone / fork by this puppet; the child becomes a puppet on a new
/// channel whose other end goes to the controller with the reply.
RC_NOSAN void do_clone(int ch, const Cmd& c, Reply& r, int& pass_fd) {
    int sv[2] = {-1, -1};
    long e = sys(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, P(sv));
    if (e < 0) {
        r.ret = e;
        r.v3 = 1;   // harness failure, not the call's result
        return;
    }
    int passed = move_high(sv[0]), own = move_high(sv[1]);
    uint64_t flags = static_cast<uint64_t>(c.a);
    if (c.op == Op::Fork) flags = SIGCHLD;
    const bool vm = flags & CLONE_VM;
    char* stack = nullptr;
    ChildArgs local{ch, passed, own, (flags & CLONE_FILES) ? 1 : 0};
    ChildArgs* ca = &local;
    if (vm) {
        long m = sys(SYS_mmap, 0, kStackSize, 3 /*RW*/, 0x22 /*PRIVATE|ANON*/, -1, 0);
        if (m < 0 && m > -4096) {
            r.ret = m;
            r.v3 = 1;
            sys(SYS_close, passed);
            sys(SYS_close, own);
            return;
        }
        stack = reinterpret_cast<char*>(m);
        // The child's arguments live on its own stack: the parent's frame may be
        // reused before a child sharing our memory reads them.
        ca = reinterpret_cast<ChildArgs*>(stack + kStackSize - 64);
        *ca = local;
    }
    int pidfd = -1;
    long ret;
    if (c.op == Op::Clone3) {
        CloneArgs args;
        zero(&args, sizeof args);
        args.flags = flags;
        args.pidfd = static_cast<uint64_t>(P(&pidfd));
        args.exit_signal = static_cast<uint64_t>(c.b);
        if (vm) {
            args.stack = static_cast<uint64_t>(P(stack));
            args.stack_size = kStackSize - 128;
        }
        ret = rc_clone3_tramp(&args, sizeof args, child_entry, ca);
    } else {
        long lflags = static_cast<long>(flags);
        if (c.op == Op::Clone) lflags = static_cast<long>((flags & ~0xffULL) | (static_cast<uint64_t>(c.b) & 0xff));
        ret = rc_clone_tramp(lflags, vm ? stack + kStackSize - 128 : nullptr, &pidfd, child_entry, ca);
    }
    r.ret = ret;
    r.v1 = ret > 0 ? pidfd : -1;
    if (ret > 0) {
        if (!(flags & CLONE_FILES)) sys(SYS_close, own);
        pass_fd = passed;
    } else {
        sys(SYS_close, passed);
        sys(SYS_close, own);
        if (stack) sys(SYS_munmap, P(stack), kStackSize);
    }
}

RC_NOSAN void do_execve(int ch, Reply& r) {
    char fdbuf[16];
    zero(fdbuf, sizeof fdbuf);
    int v = ch, n = 0;
    char tmp[16];
    do { tmp[n++] = static_cast<char>('0' + v % 10); v /= 10; } while (v && n < 15);
    for (int i = 0; i < n; ++i) fdbuf[i] = tmp[n - 1 - i];
    const char* argv[4] = {"reapcheck-puppet", wire::kResumeArg, fdbuf, nullptr};
    sys(SYS_fcntl, ch, F_SETFD, 0);   // the channel survives the exec; pidfds do not
    // thread-self: /proc/self/exe is gone once the group leader has exited.
    r.ret = sys(SYS_execve, P("/proc/thread-self/exe"), P(argv), P(environ));
    sys(SYS_fcntl, ch, F_SETFD, FD_CLOEXEC);
}

RC_NOSAN void do_ptrace_detach(long pid, Reply& r) {
    unsigned char si[128];
    auto sipid = [&si] { return *reinterpret_cast<int*>(si + 16); };
    // A zombie tracee never stops: PTRACE_DETACH alone answers (ESRCH).
    zero(si, sizeof si);
    long w = sys(SYS_waitid, P_PID, pid, P(si), WEXITED | WNOHANG | WNOWAIT | __WALL, 0);
    if (!(w == 0 && sipid() == pid)) {
        // The trap stop notifies the tracer (SIGCHLD, CLD_TRAPPED); the model
        // treats the stop as invisible, so a SIGCHLD it leaves is taken back.
        uint64_t before = 0;
        sys(SYS_rt_sigpending, P(&before), 8);
        long ir = sys(SYS_ptrace, 0x4207 /*PTRACE_INTERRUPT*/, pid, 0, 0);
        if (ir < 0) {
            r.ret = ir;
            return;
        }
        for (int i = 0; i < 2000; ++i) {
            zero(si, sizeof si);
            w = sys(SYS_waitid, P_PID, pid, P(si), WSTOPPED | WNOHANG | __WALL, 0);
            if (w < 0 || sipid() == pid) break;
            struct timespec ts{0, 1000000};
            sys(SYS_nanosleep, P(&ts), 0);
        }
        r.ret = sys(SYS_ptrace, 17 /*PTRACE_DETACH*/, pid, 0, 0);
        if (!(before & kSigchldBit)) {
            uint64_t w2 = kSigchldBit;
            struct timespec ts{0, 0};
            sys(SYS_rt_sigtimedwait, P(&w2), 0, P(&ts), 8);
        }
        return;
    }
    r.ret = sys(SYS_ptrace, 17 /*PTRACE_DETACH*/, pid, 0, 0);
}

RC_NOSAN void run_cmd(int ch, const Cmd& c, Reply& r, int& pass_fd) {
    switch (c.op) {
    case Op::Clone3:
    case Op::Clone:
    case Op::Fork: do_clone(ch, c, r, pass_fd); return;
    case Op::Exit: sys(SYS_exit, c.a); return;
    case Op::ExitGroup: sys(SYS_exit_group, c.a); return;
    case Op::Execve: do_execve(ch, r); return;
    case Op::Kill: r.ret = sys(SYS_kill, c.a, c.b); return;
    case Op::PidfdSendSignal: r.ret = sys(SYS_pidfd_send_signal, c.a, c.b, 0, 0); return;
    case Op::Wait4: {
        int status = 0;
        r.ret = sys(SYS_wait4, c.a, P(&status), c.b, 0);
        r.v1 = status;
        return;
    }
    case Op::Waitid: {
        unsigned char si[128];
        zero(si, sizeof si);
        r.ret = sys(SYS_waitid, c.a, c.b, P(si), c.c, 0);
        r.v1 = *reinterpret_cast<int*>(si + 16);
        r.v2 = *reinterpret_cast<int*>(si + 8);
        r.v3 = *reinterpret_cast<int*>(si + 24);
        return;
    }
    case Op::Sigaction: {
        KernelSigaction ka;
        zero(&ka, sizeof ka);
        ka.handler = c.a == 0 ? 0UL : c.a == 1 ? 1UL : reinterpret_cast<unsigned long>(&rc_noop_handler);
        ka.flags = 0x04000000UL /*SA_RESTORER*/ | (c.b ? SA_NOCLDWAIT : 0);
        ka.restorer = reinterpret_cast<unsigned long>(&rc_sigreturn);
        r.ret = sys(SYS_rt_sigaction, SIGCHLD, P(&ka), 0, 8);
        return;
    }
    case Op::Prctl: r.ret = sys(SYS_prctl, c.a, c.b, 0, 0, 0); return;
    case Op::PidfdOpen: r.ret = sys(SYS_pidfd_open, c.a, c.b); return;
    case Op::Close: r.ret = sys(SYS_close, c.a); return;
    case Op::Poll: {
        struct { int fd; short events, revents; } pf{static_cast<int>(c.a), 0x1 /*POLLIN*/, 0};
        long n = sys(SYS_poll, P(&pf), 1, 0);
        r.ret = n < 0 ? n : pf.revents;
        return;
    }
    case Op::PidfdInfo: {
        unsigned char info[64];
        zero(info, sizeof info);
        *reinterpret_cast<uint64_t*>(info) = static_cast<uint64_t>(c.b);
        r.ret = sys(SYS_ioctl, c.a, 0xC040FF0BL, P(info));
        r.v1 = static_cast<int64_t>(*reinterpret_cast<uint64_t*>(info));
        r.v2 = *reinterpret_cast<int32_t*>(info + 60);
        return;
    }
    case Op::Sigpending: {
        uint64_t set = 0;
        sys(SYS_rt_sigpending, P(&set), 8);
        const bool pending = set & kSigchldBit;
        if (pending && !c.a) {
            uint64_t w = kSigchldBit;
            struct timespec ts{0, 0};
            sys(SYS_rt_sigtimedwait, P(&w), 0, P(&ts), 8);
        }
        r.ret = pending ? 1 : 0;
        return;
    }
    case Op::Getppid: r.ret = sys(SYS_getppid); return;
    case Op::PtraceSeize: r.ret = sys(SYS_ptrace, 0x4206 /*PTRACE_SEIZE*/, c.a, 0, 0); return;
    case Op::PtraceDetach: do_ptrace_detach(c.a, r); return;
    case Op::CapsetDrop: {
        struct { uint32_t version; int pid; } hdr{0x20080522, 0};
        struct { uint32_t eff, perm, inh; } data[2];
        zero(data, sizeof data);
        long e = sys(SYS_capget, P(&hdr), P(data));
        if (e == 0) {
            data[0].eff &= ~(1u << 21);   // CAP_SYS_ADMIN
            e = sys(SYS_capset, P(&hdr), P(data));
        }
        r.ret = e;
        return;
    }
    }
    r.ret = -EINVAL;
    r.v3 = 1;
}

[[noreturn]] RC_NOSAN void puppet_loop(int ch, int execed) {
    send_hello(ch, execed);
    for (;;) {
        Cmd c;
        long n = sys(SYS_recvfrom, ch, P(&c), sizeof c, 0, 0, 0);
        if (n == -EINTR) continue;
        if (n != static_cast<long>(sizeof c)) sys(SYS_exit_group, 127);   // controller gone
        Reply r;
        int pass_fd = -1;
        run_cmd(ch, c, r, pass_fd);
        send_reply(ch, r, pass_fd);
        if (pass_fd >= 0) sys(SYS_close, pass_fd);
    }
}

/// First code of the namespace init: a clean signal state (SIGCHLD blocked,
/// every disposition default), its pdeath signal so that it cannot outlive the
/// controller, stdin/stdout on /dev/null, no inherited descriptors.
RC_NOSAN int init_entry(void* p) {
    int ch = static_cast<int>(reinterpret_cast<long>(p));
    sys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
    // A process group of its own: Ctrl-C at a terminal signals the foreground
    // group, and it is the controller's to stop the run, not the puppets'
    // (their SIGINT would kill them in the middle of a statement).
    sys(SYS_setpgid, 0, 0);
    KernelSigaction ka;
    zero(&ka, sizeof ka);
    for (int s = 1; s <= 64; ++s)
        if (s != SIGKILL && s != SIGSTOP) sys(SYS_rt_sigaction, s, P(&ka), 0, 8);
    uint64_t mask = kSigchldBit;
    sys(SYS_rt_sigprocmask, SIG_SETMASK, P(&mask), 0, 8);
    // No core files: a coredump signal (SIGQUIT, SIGSEGV, ...) then kills
    // with plain killed(sig), as refimpl says, and writes nothing into the
    // working directory.
    struct { uint64_t cur, max; } core{0, 0};
    if (sys(SYS_prlimit64, 0, 4 /*RLIMIT_CORE*/, 0, P(&core)) == 0) {
        core.cur = 0;
        sys(SYS_prlimit64, 0, 4, P(&core), 0);
    }
    ch = move_high(ch);
    if (ch > 3) sys(SYS_close_range, 3, ch - 1, 0);
    sys(SYS_close_range, ch + 1, ~0U, 0);
    for (int fd = 0; fd < 2; ++fd) {
        long nf = sys(SYS_openat, AT_FDCWD, P("/dev/null"), O_RDWR | O_CLOEXEC);
        if (nf >= 0 && nf != fd) {
            sys(SYS_dup3, nf, fd, 0);
            sys(SYS_close, nf);
        } else if (nf == fd) {
            sys(SYS_fcntl, fd, F_SETFD, 0);
        }
    }
    if (sys(SYS_fcntl, 2, F_GETFD) < 0) {
        long nf = sys(SYS_openat, AT_FDCWD, P("/dev/null"), O_RDWR);
        if (nf >= 0 && nf != 2) { sys(SYS_dup3, nf, 2, 0); sys(SYS_close, nf); }
    }
    puppet_loop(ch, 0);
}

/// A puppet re-executed by `execve` resumes here, before main and before other
/// static constructors.
__attribute__((constructor(101))) RC_NOSAN void resume_after_exec(int argc, char** argv, char**) {
    if (argc < 3) return;
    const char* a = argv[1];
    const char* b = wire::kResumeArg;
    while (*a && *a == *b) { ++a; ++b; }
    if (*a || *b) return;
    const char* s = argv[2];
    int ch = parse_int(s);
    puppet_loop(ch, 1);
}

}  // namespace

long spawn_init_puppet(int channel) {
    CloneArgs args{};
    args.flags = CLONE_NEWPID;
    args.exit_signal = SIGCHLD;   // as the model's init (expect exit_signal init)
    return rc_clone3_tramp(&args, sizeof args, init_entry,
                           reinterpret_cast<void*>(static_cast<long>(channel)));
}

}  // namespace reapcheck::conform
