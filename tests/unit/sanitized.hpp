// Bounds of the heaviest unit tests in the sanitizer build.
//
// scripts/test.sh builds and tests reapcheck twice: once with warnings as
// errors, once with AddressSanitizer and UBSan. The first build runs every
// test at its full bounds. The sanitizer build exists to find memory errors
// and undefined behaviour in the same code paths, and it runs 5 to 15 times
// slower (an allocation-heavy search most). So the few tests whose cost is
// their size (exhaustive agreement walks, loops over every mutant or over
// random configurations) run a smaller instance of themselves there: the same
// code, fewer repetitions. `tests::scaled(full, sanitized)` picks the bound.
// GCC defines __SANITIZE_ADDRESS__ under -fsanitize=address.
#pragma once

namespace tests {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

/// `full` in the plain build, `sanitized` in the sanitizer build.
constexpr int scaled(int full, int sanitized) { return kSanitized ? sanitized : full; }

}  // namespace tests
