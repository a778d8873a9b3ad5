// Shared by the conformance test files: whether the running kernel can be
// used (root and a PID namespace are needed). Without them the tests are
// skipped with one message per suite, never failed, never hung.
#pragma once

#include <cstdio>
#include <unistd.h>

#include "checker/conform/kernel_executor.hpp"

inline bool conform_unavailable(const char* suite) {
    static int ok = -1;
    if (ok < 0) {
        ok = 1;
        if (::geteuid() != 0) {
            ok = 0;
            std::fprintf(stderr, "conform %s tests skipped: they need root\n", suite);
        } else {
            try {
                reapcheck::conform::KernelExecutor probe("linux-6.18");
            } catch (const reapcheck::conform::ConformError& e) {
                ok = 0;
                std::fprintf(stderr, "conform %s tests skipped: %s\n", suite, e.what());
            }
        }
    }
    return ok == 0;
}
