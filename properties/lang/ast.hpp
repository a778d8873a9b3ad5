// The typed expression tree of the property language (docs/property-language.md).
// Every value is an int64_t at run time: booleans 0/1, tasks, pids and pidfd
// files their index in the state (-1 for `none`), enumerations their
// refimpl value. The parser resolves names, types and variable slots, so the
// evaluator (eval.cpp) is one switch over node operations.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "properties/catalog.hpp"

namespace reapcheck::props::lang {

enum class Type : uint8_t {
    Bool, Int, Task, File, Pid, Event, ExitState, StepKind, Handler, CallKind, EventKind, Attr,
    Null,   ///< the literal `none`: compares with tasks, pids and pidfds
};
const char* type_name(Type t);

/// The facts the language reads. Subjects: a task, a pidfd file, a struct
/// pid, a kernel event of the transition, the call, its result, the profile.
enum class Fact : uint8_t {
    // task
    TExitState, TStep, TExiting, TLinked, TAlive, TLeader, TIsLeader, TRealParent, TParent, TTracer, TTraced,
    TExitSignal, TExitCode, TPdeathSignal, TPid, TPidNr, TAutoreap, TSubreaper, THasChildSubreaper,
    TUnkillable, TGroupExit, TLiveThreads, TSigchldPending, TThreadSigchldPending, TSharedSigchldPending,
    TSigchldHandler, TNocldwait, TThreadGroupEmpty, TDelayGroupLeader, TWaiting, TWaitWoken, TWaitOptions,
    TWaitAny, TWaitPid, TWaitWouldBlock, TWaitWouldReport, TWaitClear, TNnp, TCapSysAdmin, TSelfExecId, TParentExecId, THasFiles,
    // pidfd file
    FPid, FTask, FPoll, FThread, FNonblock, FAutokill, FRefs, FOpen,
    // struct pid
    PTask, PExitInfo, PExitCode, PNr, PAttr,
    // event
    EKind, ETask, EOther, EFrom, ESig, ESelfreap, ETraced, ENowait, EStatus,
    // the call
    CKind, CActor, CFlags, CExitSignal, CLegacy, CWaitOptions, CGroup,
    // its result
    RRet, ROk, RErrno, RBlocks, RTask, RFd, RStatus, RHasStatus,
    // the profile
    PrHasAutoreap, PrAutoreapRequiresPidfd, PrAutoreapRejectsParent, PrAutoreapParentZeroExitSignal,
    PrParentRejectedWhileAutoreap, PrHasAutokill, PrAutokillNeedsNnpOrCap, PrAutokillSetsNnp,
    PrAutokillByPointer, PrHasNnp, PrAutoreapBit, PrNnpBit, PrAutokillBit,
    // the state as a whole
    SNextPidNr,
};

/// What a quantifier ranges over.
enum class Domain : uint8_t {
    Tasks, Processes, Pidfds, Pids, Threads, Children, Tracees, Ancestors,
    Events, Notifies, Reparents, Reaps, Autokills, Handoffs,
};

enum class Op : uint8_t {
    Const, Var, Fact, Not, And, Or, Implies, Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Neg, BitAnd, BitOr,
    Has, SameProcess, Forall, Exists, Count, First, Pre, Post, Ite,
    AndN, OrN,   ///< a, b: the operands are kids[a .. a+b)
};

struct Node {
    Op op = Op::Const;
    Type type = Type::Bool;
    Fact fact = Fact::TExitState;   ///< Op::Fact
    Domain domain = Domain::Tasks;  ///< quantifiers
    uint8_t slot = 0;               ///< Var, quantifiers: the variable's slot
    int64_t value = 0;              ///< Const
    int32_t a = -1, b = -1, c = -1; ///< operands (node indices); Fact: a = subject (-1: call/result/profile)
};

inline constexpr int kMaxVars = 16;

struct Program {
    std::vector<Node> nodes;
    std::vector<int32_t> kids;      ///< operands of AndN / OrN
    int32_t root = -1;
    int vars = 0;                   ///< slots used
    /// A call kind the predicate is about (-1: none): when the root is
    /// `call.kind == K and ... => ...` (or a cover `call.kind == K and ...`),
    /// a transition of another kind settles it without evaluation.
    int guard_kind = -1;
    bool guard_value = true;        ///< the predicate's value when the guard does not match
    /// Where each node starts in the text (line, column), parallel to
    /// `nodes`, and the file: the Z3 translation (checker/symbolic/to_z3.cpp)
    /// names the construct it has no form for by its place.
    std::vector<std::pair<int32_t, int32_t>> where;
    std::string file;
};

}  // namespace reapcheck::props::lang
