/*
 * core.pml: the core benchmark alphabet of reapcheck (docs/core-alphabet.md, "The core
 * benchmark alphabet") in Promela, for SPIN 6.5.2. It must reach exactly the
 * states of `reapcheck explore --alphabet core --symmetry off`.
 *
 *   spin -a -DN=4 -DPROFILE=5 core.pml && cc -O2 -DNOREDUCE -DCOLLAPSE -o pan pan.c && ./pan -m1000
 *
 * N: slots (2..6). PROFILE: 0 linux-6.18, 1 rfc-v1, 2 rfc-v3, 3 v4, 4 v5,
 * 5 mainline (default).
 *
 * Counting: SPIN stores one extra state (all variables zero, before the
 * initialising d_step), so "states, stored" = reapcheck's states + 1 and
 * "transitions" = reapcheck's transitions + 2 (the initialising step and
 * the count of the start state). Every action is one d_step, so no state
 * inside an action is stored; a failed call or a no-op is an executable
 * d_step that leads back to the same state (counted as matched).
 *
 * SPIN 6.5.2 leaves out of the state vector a variable that is written but
 * never read; every array below is read by some action (code[] by wait4,
 * pend[] by sigpending), so none is dropped.
 */
#ifndef N
#define N 4
#endif
#ifndef PROFILE
#define PROFILE 5
#endif
#define MAXN 6

#define LINUX618 0
#define RFCV1 1
#define RFCV3 2
#define V4 3
#define V5 4
#define MAINLINE 5

#define FREE 0
#define ALIVE 1
#define ZOMBIE 2
#define DFL 0
#define IGN 1
#define NOCLDWAIT 2

/* clone flag bits of the alphabet */
#define F_AUTOREAP 1
#define F_PARENT 2

/* per-slot state; slots >= N stay zero */
byte st[MAXN];      /* FREE, ALIVE, ZOMBIE */
byte par[MAXN];     /* real parent slot */
bit esig[MAXN];     /* exit_signal: 0 or SIGCHLD */
bit ar[MAXN];       /* signal.autoreap */
bit iss[MAXN];      /* is_child_subreaper */
bit hss[MAXN];      /* has_child_subreaper */
byte disp[MAXN];    /* SIGCHLD action: DFL, IGN, DFL+SA_NOCLDWAIT */
bit code[MAXN];     /* exit code of a zombie */
bit pend[MAXN];     /* SIGCHLD pending */

/* scratch, not part of the state */
hidden byte fs;     /* lowest FREE slot, or MAXN */
hidden byte q;
hidden byte k;
hidden byte rp;
hidden byte rr;
hidden byte sig;
hidden byte sr;
hidden byte okc;

hidden byte mark[MAXN];

inline clear_slot(T) {
    st[T] = FREE; par[T] = 0; esig[T] = 0; ar[T] = 0; iss[T] = 0; hss[T] = 0;
    disp[T] = DFL; code[T] = 0; pend[T] = 0
}

inline find_free() {
    fs = MAXN; q = 1;
    do
    :: q < N && fs == MAXN -> if :: st[q] == FREE -> fs = q :: else -> skip fi; q++
    :: else -> break
    od
}

/* clone3_args_valid and copy_process checks (docs/kernel-rules.md 2.3, 2.5 items 5, 8, 9) */
inline clone_check(P, F, E) {
    okc = 1;
    if :: (F & F_AUTOREAP) && PROFILE == LINUX618 -> okc = 0 :: else -> skip fi;
    if :: (F & F_PARENT) && E -> okc = 0 :: else -> skip fi;
    if :: (F & F_PARENT) && P == 0 -> okc = 0 :: else -> skip fi;
    if :: (F & F_AUTOREAP) && PROFILE == RFCV1 -> okc = 0 :: else -> skip fi;   /* no CLONE_PIDFD */
    if :: (F & F_AUTOREAP) && (F & F_PARENT) && PROFILE >= V4 -> okc = 0 :: else -> skip fi;
    if :: (F & F_AUTOREAP) && E -> okc = 0 :: else -> skip fi;
    if :: (F & F_PARENT) && PROFILE == MAINLINE && ar[P] -> okc = 0 :: else -> skip fi
}

inline do_clone(P, F, E) {
    find_free();
    clone_check(P, F, E);
    if
    :: okc ->
        st[fs] = ALIVE;
        if
        :: (F & F_PARENT) ->
            par[fs] = par[P];
            if
            :: (F & F_AUTOREAP) && (PROFILE == RFCV1 || PROFILE == RFCV3) -> esig[fs] = 0
            :: else -> esig[fs] = esig[P]
            fi
        :: else -> par[fs] = P; esig[fs] = E
        fi;
        hss[fs] = hss[par[fs]] || iss[par[fs]];
        ar[fs] = ((F & F_AUTOREAP) != 0);
        iss[fs] = 0;
        disp[fs] = disp[P];
        code[fs] = 0;
        pend[fs] = 0
    :: else -> skip     /* EINVAL: unchanged */
    fi;
    fs = 0; okc = 0
}

/* do_notify_parent(T, S) for an untraced leader, table docs/kernel-rules.md 6.1; sets sr */
inline notify(T, S) {
    sig = S; sr = 0;
    if
    :: sig && (disp[par[T]] == IGN || disp[par[T]] == NOCLDWAIT) ->
        sr = 1;
        if :: disp[par[T]] == IGN -> sig = 0 :: else -> skip fi
    :: else -> skip
    fi;
    if :: PROFILE != LINUX618 && ar[T] -> sr = 1; sig = 0 :: else -> skip fi;
    if :: sig -> pend[par[T]] = 1 :: else -> skip fi
}

/* exit_notify as one step: find_new_reaper, reparent_leader, notify, release */
inline do_exit(P, C) {
    /* find_new_reaper: nearest is_child_subreaper ancestor if has_child_subreaper, else init */
    rp = 0;
    if
    :: hss[P] ->
        rr = par[P];
        do
        :: rr != 0 && iss[rr] -> rp = rr; break
        :: rr != 0 && !iss[rr] -> rr = par[rr]
        :: rr == 0 -> break
        od
    :: else -> skip
    fi;
    q = 1;
    do
    :: q < N ->
        if
        :: st[q] != FREE && par[q] == P ->
            par[q] = rp;
            esig[q] = 1;
            if
            :: st[q] == ZOMBIE ->
                notify(q, 1);
                if :: sr -> clear_slot(q) :: else -> skip fi
            :: else -> skip
            fi
        :: else -> skip
        fi;
        q++
    :: else -> break
    od;
    /* the father itself becomes a zombie and notifies its parent */
    st[P] = ZOMBIE; code[P] = C;
    notify(P, esig[P]);
    ar[P] = 0; iss[P] = 0; hss[P] = 0; disp[P] = DFL; pend[P] = 0;
    if :: sr -> clear_slot(P) :: else -> skip fi;
    q = 0; rp = 0; rr = 0; sig = 0; sr = 0
}

/* wait4(Q, WNOHANG [| __WALL]) by Q's parent */
inline do_wait(Q, WALL) {
    if
    :: (WALL || esig[Q]) && st[Q] == ZOMBIE ->
        if :: code[Q] -> skip :: else -> skip fi;   /* the reported status */
        clear_slot(Q)
    :: else -> skip    /* ECHILD or 0 */
    fi
}

inline do_sigaction(P, D) {
    disp[P] = D; pend[P] = 0     /* SIG_DFL and SIG_IGN discard a pending SIGCHLD */
}

/* prctl(PR_SET_CHILD_SUBREAPER): propagate_has_child_subreaper, pruned below
 * processes that already have has_child_subreaper */
inline do_prctl(P, A) {
    iss[P] = A;
    if
    :: A ->
        mark[P] = 1;
        k = 0;
        do
        :: k < N ->
            q = 1;
            do
            :: q < N ->
                if
                :: st[q] == ALIVE && !hss[q] && !mark[q] && mark[par[q]] && q != P -> hss[q] = 1; mark[q] = 1
                :: else -> skip
                fi;
                q++
            :: else -> break
            od;
            k++
        :: else -> break
        od;
        q = 0;
        do
        :: q < MAXN -> mark[q] = 0; q++
        :: else -> break
        od;
        q = 0; k = 0
    :: else -> skip
    fi
}

inline do_sigpending(P) {
    if :: pend[P] -> pend[P] = 0 :: else -> skip fi
}

#define ALIVE_P(P) (P < N && st[P] == ALIVE)
#define HASFREE ((N > 1 && st[1] == FREE) || (N > 2 && st[2] == FREE) || (N > 3 && st[3] == FREE) || \
                 (N > 4 && st[4] == FREE) || (N > 5 && st[5] == FREE))
#define CHILD(P, C) (C < N && C != 0 && st[C] != FREE && par[C] == P)

#define CLONES(P) \
    :: d_step { ALIVE_P(P) && HASFREE -> do_clone(P, 0, 0) } \
    :: d_step { ALIVE_P(P) && HASFREE -> do_clone(P, 0, 1) } \
    :: d_step { ALIVE_P(P) && HASFREE -> do_clone(P, 1, 0) } \
    :: d_step { ALIVE_P(P) && HASFREE -> do_clone(P, 1, 1) } \
    :: d_step { ALIVE_P(P) && HASFREE -> do_clone(P, 2, 0) } \
    :: d_step { ALIVE_P(P) && HASFREE -> do_clone(P, 2, 1) } \
    :: d_step { ALIVE_P(P) && HASFREE -> do_clone(P, 3, 0) } \
    :: d_step { ALIVE_P(P) && HASFREE -> do_clone(P, 3, 1) }

#define EXITS(P) \
    :: d_step { P != 0 && ALIVE_P(P) -> do_exit(P, 0) } \
    :: d_step { P != 0 && ALIVE_P(P) -> do_exit(P, 1) }

#define WAITS1(P, C) \
    :: d_step { ALIVE_P(P) && CHILD(P, C) -> do_wait(C, 0) } \
    :: d_step { ALIVE_P(P) && CHILD(P, C) -> do_wait(C, 1) }

#define WAITS(P) WAITS1(P, 1) WAITS1(P, 2) WAITS1(P, 3) WAITS1(P, 4) WAITS1(P, 5)

#define OTHERS(P) \
    :: d_step { P != 0 && ALIVE_P(P) -> do_sigaction(P, DFL) } \
    :: d_step { P != 0 && ALIVE_P(P) -> do_sigaction(P, IGN) } \
    :: d_step { P != 0 && ALIVE_P(P) -> do_sigaction(P, NOCLDWAIT) } \
    :: d_step { ALIVE_P(P) -> do_prctl(P, 0) } \
    :: d_step { ALIVE_P(P) -> do_prctl(P, 1) } \
    :: d_step { ALIVE_P(P) -> do_sigpending(P) }

#define SLOT(P) CLONES(P) EXITS(P) WAITS(P) OTHERS(P)

active proctype world() {
    d_step {
        st[0] = ALIVE;                  /* init: never exits, SIG_DFL forever */
        st[1] = ALIVE; esig[1] = 1      /* main: child of init, exit_signal SIGCHLD */
    };
    do
    SLOT(0)
    SLOT(1)
    SLOT(2)
    SLOT(3)
    SLOT(4)
    SLOT(5)
    od
}
