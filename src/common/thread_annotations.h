// Clang thread-safety annotations (-Wthread-safety): which mutex guards which member, which
// functions need it. No-ops for other compilers; the clang fuzz build checks them.
#pragma once

#if defined(__clang__)
#define ALLOT_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ALLOT_THREAD_ANNOTATION(x)
#endif

#define GUARDED_BY(x) ALLOT_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) ALLOT_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) ALLOT_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) ALLOT_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
