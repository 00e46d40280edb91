/* The sans-I/O entry (l2k_stack_open_io): a stack on application-supplied I/O.  The
 * application's send callback takes the packets for the controller; l2k_input / l2k_input_h4
 * hand in the controller's packets; time moves with the stack's clock through l2k_step.  Under
 * the hood it is one more transport: its send calls the application, it has no descriptor
 * (unless the application names one) and nothing to service. */
#include <stdlib.h>
#include <string.h>

#include "api/stack_internal.h"
#include "base/hci_defs.h"
#include "transport/h4.h"

struct io_tr {
	struct transport t;
	struct l2k_io io;
	struct h4_framer h4;
	uint8_t *h4buf; /* made at the first l2k_input_h4 */
};

static int io_send(struct transport *t, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct io_tr *x = (struct io_tr *)t;
	return x->io.send(x->io.user, type, pkt, len);
}

static int io_fd(struct transport *t)
{
	return ((struct io_tr *)t)->io.fd;
}

static int io_service(struct transport *t, uint64_t now_ms)
{
	(void)t;
	(void)now_ms;
	return 0;
}

static void io_close(struct transport *t)
{
	struct io_tr *x = (struct io_tr *)t;
	free(x->h4buf);
	free(x);
}

static const struct transport_ops io_ops = {
    .kind = "io",
    .send = io_send,
    .fd = io_fd,
    .service = io_service,
    .close = io_close,
};

int l2k_stack_open_io(const struct l2k_io *io, const struct l2k_stack_opts *opts, const struct l2k_stack_cbs *cbs,
		      l2k_stack **out, char *errbuf, size_t errlen)
{
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!io || !io->send || !out)
		return L2K_EINVAL;
	struct io_tr *x = calloc(1, sizeof(*x));
	if (!x)
		return L2K_ENOMEM;
	x->t.ops = &io_ops;
	x->io = *io;
	strcpy(x->t.spec, "io");
	return l2k_stack_open_transport(&x->t, opts, cbs, out, errbuf, errlen);
}

static struct io_tr *io_of(l2k_stack *s)
{
	return s && s->tr && s->tr->ops == &io_ops ? (struct io_tr *)s->tr : NULL;
}

int l2k_input(l2k_stack *s, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct io_tr *x = io_of(s);
	if (!x)
		return L2K_EINVAL;
	if (type != HCI_H4_EVT && type != HCI_H4_ACL && type != HCI_H4_SCO && type != HCI_H4_ISO)
		return L2K_EINVAL;
	if (h4_check(type, pkt, len) < 0)
		return L2K_EBADMSG;
	if (x->t.rx)
		x->t.rx(x->t.user, type, pkt, len);
	return 0;
}

static void h4_packet(void *user, uint8_t type, const uint8_t *pkt, size_t len)
{
	struct io_tr *x = user;
	if (x->t.rx)
		x->t.rx(x->t.user, type, pkt, len);
}

int l2k_input_h4(l2k_stack *s, const uint8_t *bytes, size_t len)
{
	struct io_tr *x = io_of(s);
	if (!x)
		return L2K_EINVAL;
	if (!x->h4buf) {
		if (!(x->h4buf = malloc(H4_PKT_MAX)))
			return L2K_ENOMEM;
		h4_init(&x->h4, x->h4buf, H4_PKT_MAX, h4_packet, x);
		/* what a controller sends: events, ACL, SCO, ISO (never commands) */
		h4_set_types(&x->h4, H4_TYPES_ALL & ~H4_TYPE_BIT(HCI_H4_CMD));
	}
	if (h4_feed(&x->h4, bytes, len) < 0) {
		l2k_stack_set_error(s, L2K_EFRAMING, h4_error(&x->h4));
		return L2K_EFRAMING;
	}
	return 0;
}
