/* l2k_strerror(): names for the L2K_E* codes. */
#include "base/l2k_error.h"

const char *l2k_strerror(int err)
{
	switch (err) {
	case L2K_OK: return "success";
	case L2K_EPERM: return "operation not permitted";
	case L2K_ENOENT: return "no such file or directory";
	case L2K_EINTR: return "interrupted";
	case L2K_EIO: return "input/output error";
	case L2K_EBADF: return "bad descriptor or handle";
	case L2K_EAGAIN: return "try again (would block)";
	case L2K_ENOMEM: return "out of memory";
	case L2K_EACCES: return "permission denied";
	case L2K_EBUSY: return "device or resource busy";
	case L2K_EEXIST: return "already exists";
	case L2K_ENODEV: return "no such device";
	case L2K_EINVAL: return "invalid argument";
	case L2K_EMSGSIZE: return "message too long";
	case L2K_EPROTO: return "protocol error";
	case L2K_EBADMSG: return "malformed message";
	case L2K_ENOTSUP: return "not supported";
	case L2K_EADDRINUSE: return "address or identifier in use";
	case L2K_ENETDOWN: return "controller is down";
	case L2K_ECONNABORTED: return "connection aborted";
	case L2K_ECONNRESET: return "connection reset by peer";
	case L2K_ENOBUFS: return "no buffer space available";
	case L2K_EISCONN: return "already connected";
	case L2K_ENOTCONN: return "not connected";
	case L2K_ESHUTDOWN: return "shut down";
	case L2K_ETIMEDOUT: return "timed out";
	case L2K_ECONNREFUSED: return "connection refused";
	case L2K_EHOSTDOWN: return "host is down";
	case L2K_EHOSTUNREACH: return "host unreachable";
	case L2K_EALREADY: return "operation already in progress";
	case L2K_EINPROGRESS: return "operation in progress";
	case L2K_ECTRLTIMEOUT: return "controller not responding (a command went unanswered)";
	case L2K_ECTRL: return "controller reported an error";
	case L2K_EFRAMING: return "invalid HCI framing from the transport";
	case L2K_ENOLINK: return "no such link";
	case L2K_ELINKLOSS: return "link lost";
	case L2K_EREFUSED: return "refused by the peer";
	case L2K_EMAXTX: return "peer stopped acknowledging (MaxTransmit reached)";
	case L2K_ESPEC: return "invalid specification string";
	case L2K_EAUTH: return "authentication failed";
	case L2K_EKEYSIZE: return "encryption key too short";
	default: return "unknown error";
	}
}
