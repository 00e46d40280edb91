/* The I-frame modes between two l2kit stacks on the simulated air (virtual time): bulk transfers
 * with loss 0, 1, 5, 20 % and corruption (ERTM and Retransmission mode deliver everything
 * byte-exact, in order, once; Streaming and Flow Control mode deliver only intact SDUs and count
 * the lost ones), a receiver that stops reading, and a peer that stops answering.  10 MB per
 * run (5 MB at 20 % loss) keep `make check` at about 2 s; tests/progs/mode_soak runs 100 MB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "tests/unit/test_mode_xfer.h"

#define MB 1000000ull

/* mtu 2048 (above the MPS of 1011: SAR in play) for the reliable modes; the lossy ones also run
 * with mtu 1000, where every SDU is one I-frame and the count of lost SDUs must be exact. */
static void run_mtu(enum l2k_mode mode, double loss, double corrupt, uint64_t bytes, bool ext, uint16_t mtu)
{
	struct xfer_cfg c = {.mode = mode, .loss = loss, .corrupt = corrupt, .bytes = bytes, .seed = 7, .fcs = 1,
			     .max_transmit = L2K_MAX_TRANSMIT_UNLIMITED, .ext_window = ext, .mtu = mtu};
	if (ext)
		c.window = 300;
	struct xfer_result r;
	int err = xfer_run(&c, &r);
	xfer_print(stdout, &c, &r);
	assert_int_equal(err, 0);
	assert_int_equal(r.mode, mode);
	if (mode == L2K_MODE_ERTM || mode == L2K_MODE_RETRANS) {
		assert_int_equal(r.rx_sdus, r.tx_sdus);
		assert_int_equal(r.gaps, 0);
		if (loss > 0)
			assert_true(r.retrans > 0);
	} else {
		assert_int_equal(r.retrans, 0);
		assert_true(r.rx_sdus + r.gaps <= r.tx_sdus);
		if (loss > 0)
			assert_true(r.dropped > 0);
		if (mtu <= 1000) /* one I-frame per SDU: exact (but SDUs lost at the very end, which
				  * no later frame reveals, are counted by the sender only) */
			assert_true(r.dropped == r.gaps);
	}
	if (corrupt > 0)
		assert_true(r.bad_fcs > 0);
}

static void run(enum l2k_mode mode, double loss, double corrupt, uint64_t bytes, bool ext)
{
	run_mtu(mode, loss, corrupt, bytes, ext, 2048);
	if (mode == L2K_MODE_STREAMING || mode == L2K_MODE_FLOWCTL)
		run_mtu(mode, loss, corrupt, bytes, ext, 1000);
}

#define MATRIX(name, mode)                                                                     \
	static void name(void **s)                                                             \
	{                                                                                      \
		run(mode, 0, 0, 10 * MB, false);                                               \
		run(mode, 0.01, 0, 10 * MB, false);                                            \
		run(mode, 0.05, 0, 10 * MB, false);                                            \
		run(mode, 0.20, 0, 5 * MB, false);                                             \
		run(mode, 0.01, 0.01, 10 * MB, false);                                         \
	}
MATRIX(ertm_delivers_everything_under_loss, L2K_MODE_ERTM)
MATRIX(retrans_delivers_everything_under_loss, L2K_MODE_RETRANS)
MATRIX(streaming_delivers_only_intact_sdus, L2K_MODE_STREAMING)
MATRIX(flowctl_delivers_only_intact_sdus, L2K_MODE_FLOWCTL)

static void ertm_extended_window_under_loss(void **s)
{
	run(L2K_MODE_ERTM, 0, 0, 10 * MB, true);
	run(L2K_MODE_ERTM, 0.05, 0.01, 10 * MB, true);
}

/* A receiver that stops reading: the peer is held (RNR / R=1 / no acknowledgement), nothing is
 * passed up while busy, the sender's queue fills (bounded: l2k_chan_send says L2K_EAGAIN) and
 * the transfer completes when the receiver reads again. */
static void slow_reader_lossy(enum l2k_mode mode, double loss, uint8_t max_tx)
{
	struct xfer_cfg c = {.mode = mode, .bytes = MB, .seed = 3, .fcs = 1, .busy_every = 100, .busy_ms = 400,
			     .max_transmit = max_tx, .loss = loss, .corrupt = loss / 5};
	struct xfer_result r;
	int err = xfer_run(&c, &r);
	xfer_print(stdout, &c, &r);
	assert_int_equal(err, 0);
	assert_int_equal(r.rx_busy_sdus, 0);
	assert_int_equal(r.rx_sdus, r.tx_sdus);
	assert_true(r.eagain > 0);
	assert_false(r.closed);
}

static void slow_reader(enum l2k_mode mode)
{
	slow_reader_lossy(mode, 0, 3);
}

static void ertm_slow_reader_rnr(void **s)
{
	slow_reader(L2K_MODE_ERTM);
}

static void retrans_slow_reader_r_bit(void **s)
{
	slow_reader(L2K_MODE_RETRANS);
}

/* both at once: busy periods while frames are lost and recovered */
static void slow_reader_under_loss(void **s)
{
	slow_reader_lossy(L2K_MODE_ERTM, 0.05, L2K_MAX_TRANSMIT_UNLIMITED);
	slow_reader_lossy(L2K_MODE_RETRANS, 0.05, L2K_MAX_TRANSMIT_UNLIMITED);
}

/* A peer that stops answering (every PDU lost once the channel is open): polls, MaxTransmit,
 * the channel closes and the application is told why. */
static void silent_peer(enum l2k_mode mode, uint64_t min_ms, uint64_t max_ms)
{
	struct xfer_cfg c = {.mode = mode, .loss = 1.0, .bytes = 100000, .seed = 5, .fcs = 1, .max_transmit = 3,
			     .max_vms = 120000};
	struct xfer_result r;
	xfer_run(&c, &r);
	printf("%s: closed %d reason %s after %llu ms\n", l2k_mode_name(mode), r.closed, l2k_close_reason_str(r.reason),
	       (unsigned long long)r.vms);
	assert_true(r.closed);
	assert_int_equal(r.reason, L2K_CLOSE_MAX_TRANSMIT);
	assert_true(r.vms >= min_ms && r.vms <= max_ms);
	assert_int_equal(r.rx_sdus, 0);
}

static void ertm_silent_peer_max_transmit(void **s)
{
	/* retransmission timer fitted to the link (48 round trips of 5 ms + 100 ms = 340 ms),
	 * then 3 polls 4 s apart (12 s / MaxTransmit 3): given up at 12.34 s; the Disconnection
	 * Request is lost too, so closed() comes after its RTX (10 s) */
	silent_peer(L2K_MODE_ERTM, 22300, 22400);
}

static void retrans_silent_peer_max_transmit(void **s)
{
	/* 3 transmissions 2 s apart (the retransmission timeout l2kit proposes with MaxTransmit 3:
	 * 12 s / 3, at most the specification's 2 s; docs/modes.md "Loss"), then the RTX of the
	 * lost Disconnection Request */
	silent_peer(L2K_MODE_RETRANS, 16000, 16500);
}

/* Goodput under loss (issue 23): ERTM keeps most of its lossless goodput when whole PDUs are
 * lost, because a lost SREJ, retransmission or acknowledgement is recovered in about a round
 * trip instead of a retransmission time-out and a poll (before: 0.07 of it at 20 % loss).
 * Virtual time: the shares are the same on every machine. */
static double goodput(enum l2k_mode mode, double loss, uint64_t seed)
{
	struct xfer_cfg c = {.mode = mode, .loss = loss, .bytes = 5 * MB, .seed = seed, .fcs = 1,
			     .max_transmit = L2K_MAX_TRANSMIT_UNLIMITED};
	struct xfer_result r;
	assert_int_equal(xfer_run(&c, &r), 0);
	xfer_print(stdout, &c, &r);
	assert_int_equal(r.rx_sdus, r.tx_sdus);
	return (double)r.rx_bytes / (double)r.vms;
}

static void ertm_goodput_under_loss(void **s)
{
	for (uint64_t seed = 1; seed <= 3; seed++) {
		double lossless = goodput(L2K_MODE_ERTM, 0, seed);
		double at5 = goodput(L2K_MODE_ERTM, 0.05, seed) / lossless;
		double at20 = goodput(L2K_MODE_ERTM, 0.20, seed) / lossless;
		printf("ertm seed %llu: %.3f of the lossless goodput at 5 %%, %.3f at 20 %%\n",
		       (unsigned long long)seed, at5, at20);
		assert_true(at5 >= 0.85);
		assert_true(at20 >= 0.55);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ertm_delivers_everything_under_loss),
	    cmocka_unit_test(retrans_delivers_everything_under_loss),
	    cmocka_unit_test(streaming_delivers_only_intact_sdus),
	    cmocka_unit_test(flowctl_delivers_only_intact_sdus),
	    cmocka_unit_test(ertm_extended_window_under_loss),
	    cmocka_unit_test(ertm_slow_reader_rnr),
	    cmocka_unit_test(retrans_slow_reader_r_bit),
	    cmocka_unit_test(slow_reader_under_loss),
	    cmocka_unit_test(ertm_goodput_under_loss),
	    cmocka_unit_test(ertm_silent_peer_max_transmit),
	    cmocka_unit_test(retrans_silent_peer_max_transmit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
