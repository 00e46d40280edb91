/* l2info: bring a controller up and print what it is (and what its vendor start-up did); or
 * list the controllers l2kit can open.
 *   l2info -t SPEC [--json] [--btsnoop FILE] [--timeout MS] [--firmware-dir DIR]
 *          [--no-vendor-init] [--usb-id VID:PID]
 *   l2info --list [--json] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <l2kit/l2kit.h>
#include "tools/common/tool.h"

static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* --list: 0 (also when there is none) */
static int list(bool json)
{
	struct l2k_controller_entry e[32];
	size_t n = 0;
	char note[256];
	l2k_list_controllers(e, 32, &n, note, sizeof(note));
	size_t shown = n < 32 ? n : 32;
	if (json) {
		printf("[");
		for (size_t i = 0; i < shown; i++) {
			printf("%s\n  {\"spec\": ", i ? "," : "");
			json_str(e[i].spec);
			printf(", \"kind\": \"%s\"", e[i].usb ? "usb" : "hci");
			if (e[i].usb) {
				printf(", \"vid\": \"%04x\", \"pid\": \"%04x\", \"where\": ", e[i].vid, e[i].pid);
				json_str(e[i].where);
				printf(", \"manufacturer\": ");
				json_str(e[i].manufacturer);
				printf(", \"product\": ");
				json_str(e[i].product);
				printf(", \"strings_readable\": %s", e[i].strings_unreadable ? "false" : "true");
				const char *fam, *pkg;
				const char *needs = l2k_usb_vendor_startup(e[i].vid, e[i].pid, &fam, &pkg);
				printf(", \"vendor_startup\": ");
				if (needs) {
					printf("{\"family\": ");
					json_str(fam);
					printf(", \"needs\": ");
					json_str(needs);
					printf(", \"debian_package\": ");
					json_str(pkg);
					printf("}");
				} else {
					printf("null");
				}
			} else {
				printf(", \"address\": ");
				json_str(e[i].bdaddr);
			}
			printf(", \"driver\": ");
			json_str(e[i].usb ? e[i].driver : "kernel");
			printf("}");
		}
		printf("%s]\n", shown ? "\n" : "");
		if (!n)
			fprintf(stderr, "l2info: no Bluetooth controller that l2kit can open%s%s\n",
				note[0] ? ": " : "", note);
		return 0;
	}
	if (!n) {
		printf("no Bluetooth controller that l2kit can open was found (no USB Bluetooth dongle, no "
		       "hciN)%s%s\n", note[0] ? ": " : "", note);
		return 0;
	}
	for (size_t i = 0; i < shown; i++) {
		if (e[i].usb) {
			char strs[200] = "strings not readable (no permission to open the device)";
			if (!e[i].strings_unreadable)
				snprintf(strs, sizeof(strs), "\"%s\" \"%s\"", e[i].manufacturer, e[i].product);
			char drv[96] = "no kernel driver bound";
			if (e[i].driver[0])
				snprintf(drv, sizeof(drv), "kernel driver %s bound (l2kit detaches it while open)",
					 e[i].driver);
			const char *pkg;
			const char *needs = l2k_usb_vendor_startup(e[i].vid, e[i].pid, NULL, &pkg);
			char su[200] = "start-up: none known to be needed";
			if (needs)
				snprintf(su, sizeof(su), "start-up: %s, package %s", needs, pkg);
			printf("%-14s  usb %04x:%04x at %s  %s  %s  %s\n", e[i].spec, e[i].vid, e[i].pid, e[i].where, strs,
			       drv, su);
		} else {
			printf("%-14s  HCI user channel%s%s (the kernel's adapter: it must be down, and l2kit needs "
			       "CAP_NET_ADMIN)\n",
			       e[i].spec, e[i].bdaddr[0] ? " " : "", e[i].bdaddr);
		}
	}
	if (n > shown)
		printf("(%zu more not shown)\n", n - shown);
	if (note[0])
		fprintf(stderr, "l2info: note: %s\n", note);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: l2info -t SPEC [--json] [--btsnoop FILE] [--timeout MS] [--firmware-dir DIR]\n"
		   "              [--no-vendor-init] [--usb-id VID:PID]\n"
		   "       l2info --list [--json]\n"
		   "  Brings the controller named by SPEC up (HCI Reset, the vendor start-up of a Realtek,\n"
		   "  Intel or Broadcom dongle, and the reads) and prints its address, HCI version,\n"
		   "  manufacturer, ACL and LE ACL buffers, what it supports, whether controller-to-host\n"
		   "  flow control is on, and what the vendor start-up did (file, version before/after).\n"
		   "  SPEC: unix:PATH | tcp:HOST:PORT | serial:DEV[,BAUD][,rtscts] | sim[:k=v,...]\n"
		   "        | hciN (Linux HCI user channel) | usb[:N|:VID:PID[#N]|:BUS-PORT] (libusb)\n"
		   "  --timeout MS  wait this long for the bring-up, 1..600000 (default 10000)\n"
		   "  --list        list the controllers l2kit can open, without opening them: USB\n"
		   "                Bluetooth dongles (libusb: VID:PID, bus-port, manufacturer and\n"
		   "                product, the kernel driver bound) and hciN user channels; one line\n"
		   "                each (--json: one JSON array), or a line saying there is none;\n"
		   "                each USB dongle says whether it needs a vendor start-up\n"
		   TOOL_VENDOR_HELP
		   "  SIGINT / SIGTERM end it at once (exit 130 / 143).\n");
}

int main(int argc, char **argv)
{
	const char *spec = NULL, *snoop = NULL;
	bool json = false, do_list = false;
	unsigned long timeout = 10000;
	tool_signals_init("l2info"); /* nothing to end gracefully: a signal exits at once */
	static const struct option lo[] = {{"transport", required_argument, 0, 't'},
					   {"json", no_argument, 0, 'j'},
					   {"btsnoop", required_argument, 0, 'b'},
					   {"timeout", required_argument, 0, 'T'},
					   {"list", no_argument, 0, 'L'},
					   TOOL_VENDOR_LONGOPTS,
					   {"help", no_argument, 0, 'h'},
					   {0, 0, 0, 0}};
	int c;
	struct tool_vendor tv = {0};
	while ((c = getopt_long(argc, argv, "t:jh", lo, NULL)) != -1) {
		int vr = tool_vendor_option("l2info", c, optarg, &tv);
		if (vr < 0)
			return 2;
		if (vr)
			continue;
		switch (c) {
		case 't': spec = optarg; break;
		case 'j': json = true; break;
		case 'b': snoop = optarg; break;
		case 'T':
			if (tool_opt_uint("l2info", "--timeout", optarg, 1, 600000, "milliseconds, 1..600000",
					  &timeout))
				return 2;
			break;
		case 'L': do_list = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (do_list) {
		if (spec || snoop || optind != argc) {
			fprintf(stderr, "l2info: --list takes no -t, --btsnoop or arguments\n");
			return 2;
		}
		return list(json);
	}
	if (!spec || optind != argc) {
		usage(stderr);
		return 2;
	}
	struct l2k_stack_opts o = {.btsnoop_path = snoop, .no_page_scan = true};
	tool_vendor_apply(&tv, &o);
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
	struct l2k_vendor_startup vs;
	l2k_vendor_startup(s, &vs);
	char a[18];
	l2k_addr_str(&in.addr, a);
	if (json) {
		printf("{\"transport\": \"%s\", \"address\": \"%s\", \"hci_version\": %u, \"hci_revision\": %u, "
		       "\"lmp_version\": %u, \"lmp_subversion\": %u, \"manufacturer\": %u, "
		       "\"acl_mtu\": %u, \"acl_count\": %u, \"le_acl_mtu\": %u, \"le_acl_count\": %u, "
		       "\"le_shared_buffers\": %s, \"bredr\": %s, \"le\": %s, \"ctrl_flow_supported\": %s, "
		       "\"ctrl_flow\": %s, \"host_acl_mtu\": %u, \"host_acl_count\": %u, \"vendor_startup\": ",
		       spec, a, in.hci_version, in.hci_revision, in.lmp_version, in.lmp_subversion,
		       in.manufacturer, in.acl_mtu, in.acl_count, in.le_acl_mtu, in.le_acl_count,
		       in.le_shared ? "true" : "false", in.bredr ? "true" : "false", in.le ? "true" : "false",
		       in.ctrl_flow_supported ? "true" : "false", in.ctrl_flow ? "true" : "false", in.host_acl_mtu,
		       in.host_acl_count);
		printf("{\"family\": ");
		json_str(vs.family);
		printf(", \"chip\": ");
		json_str(vs.chip);
		printf(", \"skipped\": %s, \"loaded\": %s, \"file\": ", vs.skipped ? "true" : "false",
		       vs.loaded ? "true" : "false");
		json_str(vs.file);
		printf(", \"file2\": ");
		json_str(vs.file2);
		printf(", \"before\": ");
		json_str(vs.before);
		printf(", \"after\": ");
		json_str(vs.after);
		printf(", \"chunks\": %u, \"bytes\": %zu, \"note\": ", vs.chunks, vs.bytes);
		json_str(vs.note);
		printf("}}\n");
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
		if (vs.loaded) {
			printf("vendor start-up: %s: loaded %s%s%s (%u commands, %zu octets)\n", vs.chip, vs.file,
			       vs.file2[0] ? " + " : "", vs.file2, vs.chunks, vs.bytes);
			printf("  version before: %s\n  version after:  %s\n", vs.before, vs.after);
		} else {
			printf("vendor start-up: %s%s%s\n", vs.chip, vs.chip[0] ? ": " : "", vs.note[0] ? vs.note : "none");
		}
	}
	l2k_stack_close(s);
	return 0;
}
