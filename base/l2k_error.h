/* Error codes: negative, errno-style, identical on every platform (they do not depend on the
 * host's errno.h).  l2k_strerror() names them.  Included by api/l2kit.h. */
#ifndef L2K_ERROR_H
#define L2K_ERROR_H

/* L2K_API marks the library's public functions: the only symbols the shared library exports
 * (the rest is built with hidden visibility).  L2K_STATIC when linking the static library on
 * Windows (no DLL import). */
#ifndef L2K_API
#if defined(_WIN32) && defined(L2K_BUILDING_LIBRARY)
#define L2K_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(L2K_STATIC)
#define L2K_API __declspec(dllimport)
#elif defined(__GNUC__)
#define L2K_API __attribute__((visibility("default")))
#else
#define L2K_API
#endif
#endif

enum l2k_error {
	L2K_OK = 0,
	L2K_EPERM = -1,
	L2K_ENOENT = -2,
	L2K_EINTR = -4,
	L2K_EIO = -5,
	L2K_EBADF = -9,
	L2K_EAGAIN = -11,
	L2K_ENOMEM = -12,
	L2K_EACCES = -13,
	L2K_EBUSY = -16,
	L2K_EEXIST = -17,
	L2K_ENODEV = -19,
	L2K_EINVAL = -22,
	L2K_EMSGSIZE = -90,
	L2K_EPROTO = -71,
	L2K_EBADMSG = -74,
	L2K_ENOTSUP = -95,
	L2K_EADDRINUSE = -98,
	L2K_ENETDOWN = -100,
	L2K_ECONNABORTED = -103,
	L2K_ECONNRESET = -104,
	L2K_ENOBUFS = -105,
	L2K_EISCONN = -106,
	L2K_ENOTCONN = -107,
	L2K_ESHUTDOWN = -108,
	L2K_ETIMEDOUT = -110,
	L2K_ECONNREFUSED = -111,
	L2K_EHOSTDOWN = -112,
	L2K_EHOSTUNREACH = -113,
	L2K_EALREADY = -114,
	L2K_EINPROGRESS = -115,
	/* l2kit's own */
	L2K_ECTRLTIMEOUT = -1001, /* the controller stopped responding: a command (or the ACL
				   * transmit watchdog's probe) went unanswered */
	L2K_ECTRL = -1002,	  /* the controller answered a command with an error status */
	L2K_EFRAMING = -1003,	  /* the transport's byte stream is not valid H4 */
	L2K_ENOLINK = -1004,	  /* no such ACL link */
	L2K_ELINKLOSS = -1005,	  /* the ACL link went down under the channel */
	L2K_EREFUSED = -1006,	  /* the peer refused the channel (see the result code) */
	L2K_EMAXTX = -1007,	  /* MaxTransmit reached: the peer stopped acknowledging */
	L2K_ESPEC = -1008,	  /* malformed or unparseable spec string / option */
	L2K_EAUTH = -1009,	  /* pairing or authentication failed (refused, wrong value or key) */
	L2K_EKEYSIZE = -1010,	  /* the encryption key is shorter than the minimum (KNOB) */
};

#ifdef __cplusplus
extern "C" {
#endif
/* Name of an error code (never NULL; unknown codes get a generic text). */
L2K_API const char *l2k_strerror(int err);
#ifdef __cplusplus
}
#endif

#endif
