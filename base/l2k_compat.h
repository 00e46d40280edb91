/* Portable C across the C libraries l2kit builds with (glibc, musl, macOS, mingw-w64): what one
 * of them spells differently or lacks.  Included by code that formats text or maps errno
 * values; it makes no system call. */
#ifndef L2K_BASE_COMPAT_H
#define L2K_BASE_COMPAT_H

#include <errno.h>

/* A printf-like function's format check.  mingw-w64 builds with __USE_MINGW_ANSI_STDIO (C99
 * formats such as %zu); GCC names that format gnu_printf there, as plain printf means
 * Microsoft's. */
#if defined(__MINGW32__)
#define L2K_PRINTF(fmt, first) __attribute__((format(gnu_printf, fmt, first)))
#elif defined(__GNUC__)
#define L2K_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define L2K_PRINTF(fmt, first)
#endif

/* errno values some C libraries lack (mingw-w64's has no EHOSTDOWN); values of our own, above
 * any the library uses, that nothing but l2kit produces. */
#ifndef EHOSTDOWN
#define EHOSTDOWN 2001
#endif
#ifndef ESHUTDOWN
#define ESHUTDOWN 2002
#endif

#endif
