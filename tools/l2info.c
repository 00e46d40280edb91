/* l2info: bring a controller up and print what it is.
 *   l2info -t SPEC [--json] [--btsnoop FILE] [--timeout MS] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2kit/l2kit.h>
#include "tools/common/tool.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: l2info -t SPEC [--json] [--btsnoop FILE] [--timeout MS]\n"
		   "  Brings the controller named by SPEC up (HCI Reset and the reads) and prints its\n"
		   "  address, HCI version, manufacturer, ACL and LE ACL buffers, what it supports and\n"
		   "  whether controller-to-host flow control is on.\n"
		   "  SPEC: unix:PATH | tcp:HOST:PORT | serial:DEV[,BAUD][,rtscts] | sim[:k=v,...]\n"
		   "        | hciN (Linux HCI user channel) | usb[:N|:VID:PID[#N]|:BUS-PORT] (libusb)\n"
		   "  --timeout MS  wait this long for the bring-up, 1..600000 (default 10000)\n"
		   "  SIGINT / SIGTERM end it at once (exit 130 / 143).\n");
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *snoop = NULL;
	bool json = false;
	unsigned long timeout = 10000;
	tool_signals_init("l2info"); /* nothing to end gracefully: a signal exits at once */
	static const struct option lo[] = {{"transport", required_argument, 0, 't'},
					   {"json", no_argument, 0, 'j'},
					   {"btsnoop", required_argument, 0, 'b'},
					   {"timeout", required_argument, 0, 'T'},
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "t:jh", lo, NULL)) != -1) {
		switch (c) {
		case 't': spec = optarg; break;
		case 'j': json = true; break;
		case 'b': snoop = optarg; break;
		case 'T':
			if (tool_opt_uint("l2info", "--timeout", optarg, 1, 600000, "milliseconds, 1..600000",
					  &timeout))
				return 2;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!spec || optind != argc) {
		usage(stderr);
		return 2;
	}
	struct l2k_stack_opts o = {.btsnoop_path = snoop, .no_page_scan = true};
	char err[256];
	l2k_stack *s;
	int r = l2k_stack_open(spec, &o, NULL, &s, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "l2info: %s\n", err[0] ? err : l2k_strerror(r));
		return 1;
	}
	r = l2k_wait_ready(s, (int)timeout);
	if (r < 0) {
		const char *why = l2k_last_error(s);
		fprintf(stderr, "l2info: %s: controller bring-up failed: %s%s%s\n", spec, l2k_strerror(r),
			why[0] ? ": " : "", why);
		l2k_stack_close(s);
		return 1;
	}
	struct l2k_controller_info in;
	l2k_controller_info(s, &in);
	char a[18];
	l2k_addr_str(&in.addr, a);
	if (json) {
		printf("{\"transport\": \"%s\", \"address\": \"%s\", \"hci_version\": %u, \"hci_revision\": %u, "
		       "\"lmp_version\": %u, \"lmp_subversion\": %u, \"manufacturer\": %u, "
		       "\"acl_mtu\": %u, \"acl_count\": %u, \"le_acl_mtu\": %u, \"le_acl_count\": %u, "
		       "\"le_shared_buffers\": %s, \"bredr\": %s, \"le\": %s, \"ctrl_flow_supported\": %s, "
		       "\"ctrl_flow\": %s, \"host_acl_mtu\": %u, \"host_acl_count\": %u}\n",
		       spec, a, in.hci_version, in.hci_revision, in.lmp_version, in.lmp_subversion,
		       in.manufacturer, in.acl_mtu, in.acl_count, in.le_acl_mtu, in.le_acl_count,
		       in.le_shared ? "true" : "false", in.bredr ? "true" : "false", in.le ? "true" : "false",
		       in.ctrl_flow_supported ? "true" : "false", in.ctrl_flow ? "true" : "false", in.host_acl_mtu,
		       in.host_acl_count);
	} else {
		printf("transport:     %s\n", spec);
		printf("address:       %s\n", a);
		printf("hci version:   %u (revision 0x%04x)\n", in.hci_version, in.hci_revision);
		printf("lmp version:   %u (subversion 0x%04x)\n", in.lmp_version, in.lmp_subversion);
		printf("manufacturer:  %u (0x%04x)\n", in.manufacturer, in.manufacturer);
		printf("acl buffers:   %u x %u\n", in.acl_mtu, in.acl_count);
		if (in.le)
			printf("le acl buffers: %u x %u%s\n", in.le_acl_mtu, in.le_acl_count,
			       in.le_shared ? " (shared with BR/EDR)" : "");
		else
			printf("le acl buffers: none\n");
		printf("supports:      %s%s%s\n", in.bredr ? "BR/EDR" : "", in.bredr && in.le ? " + " : "",
		       in.le ? "LE" : "");
		char fc[300];
		tool_ctrl_flow_str(fc, sizeof(fc), &in);
		printf("controller-to-host flow control: %s\n", fc);
	}
	l2k_stack_close(s);
	return 0;
}
