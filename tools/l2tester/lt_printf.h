/* printf-style format checking for l2tester's functions; mingw-w64 builds use the C99 printf
 * (__USE_MINGW_ANSI_STDIO), whose formats (%zu ...) gnu_printf describes. */
#ifndef L2TESTER_LT_PRINTF_H
#define L2TESTER_LT_PRINTF_H

#if defined(__MINGW32__)
#define LT_PRINTF(fmt, first) __attribute__((format(gnu_printf, fmt, first)))
#elif defined(__GNUC__)
#define LT_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define LT_PRINTF(fmt, first)
#endif

#endif
