/* Test helpers shared by the CMocka suites: double-precision comparisons. */
#pragma once

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>

/* |a - b| <= atol + rtol |b|, with both values printed when it fails. */
#define assert_close(a, b, rtol, atol) \
  do { \
    const double gs_a = (a), gs_b = (b); \
    if (!(fabs(gs_a - gs_b) <= (atol) + (rtol)*fabs(gs_b))) \
      fail_msg("%s = %.17g, expected %s = %.17g (rtol %g, atol %g)", #a, gs_a, #b, gs_b, (double)(rtol), (double)(atol)); \
  } while (0)
