/* check.h - a minimal test harness for the C tests: CHECK and EXPECT_RC report and count failures, and every
 * status code EXPECT_RC sees is recorded, so a test can assert that each documented code was reached. */
#ifndef FSMETA_TEST_CHECK_H
#define FSMETA_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsmeta.h"

static int check_failures;
static int check_count;
static unsigned char check_seen[2100]; /* index: -status */

static void check_mark(int rc)
{
    if (rc <= 0 && -rc < (int)sizeof check_seen)
        check_seen[-rc] = 1;
}

#define CHECK(cond)                                                                                                  \
    do {                                                                                                             \
        check_count++;                                                                                               \
        if (!(cond)) {                                                                                               \
            fprintf(stderr, "%s:%d: CHECK(%s) failed (last error: %s)\n", __FILE__, __LINE__, #cond,                  \
                    fsmeta_last_error());                                                                            \
            check_failures++;                                                                                        \
        }                                                                                                            \
    } while (0)

#define EXPECT_RC(call, want)                                                                                        \
    do {                                                                                                             \
        int rc_ = (call);                                                                                            \
        int want_ = (want);                                                                                          \
        check_count++;                                                                                               \
        check_mark(rc_);                                                                                             \
        if (rc_ != want_) {                                                                                          \
            fprintf(stderr, "%s:%d: %s\n    = %d (%s), want %d (%s)\n    last error: %s\n", __FILE__, __LINE__,     \
                    #call, rc_, fsmeta_strerror(rc_), want_, fsmeta_strerror(want_), fsmeta_last_error());          \
            check_failures++;                                                                                        \
        }                                                                                                            \
    } while (0)

#define EXPECT_OK(call) EXPECT_RC(call, 0)

/* NAME(s): a string literal as (pointer, length) arguments. */
#define NAME(s) (s), (sizeof(s) - 1)

static int check_report(const char *prog)
{
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks FAILED\n", prog, check_failures, check_count);
        return 1;
    }
    printf("%s: all %d checks passed\n", prog, check_count);
    return 0;
}

#endif
