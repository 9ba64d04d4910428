/* Bring up `lo` over rtnetlink: a new network namespace starts with it down. */
#include "net.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "utils.h"

static void mnl_closep(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
}
#define cleanup_mnl __attribute__((cleanup(mnl_closep)))

/* One request, one answer: the kernel's ACK (an NLMSG_ERROR with error 0) or its errno. */
static int net_request(struct mnl_socket *nl, struct nlmsghdr *nlh, const char *what,
		       struct hutch_error **err)
{
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return hutch_error_errno(err, "%s: netlink send", what);
	size_t size = MNL_SOCKET_BUFFER_SIZE;
	cleanup_free char *buf = xmalloc(size);
	unsigned int portid = mnl_socket_get_portid(nl);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hutch_error_errno(err, "%s: netlink receive", what);
		int r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL);
		if (r < 0)
			return hutch_error_errno(err, "%s", what);
		if (r == MNL_CB_STOP)
			return 0;
	}
}

int net_loopback_up(struct hutch_error **err)
{
	unsigned int idx = if_nametoindex("lo");
	if (idx == 0)
		return hutch_error_errno(err, "find interface lo");
	cleanup_mnl struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl == NULL)
		return hutch_error_errno(err, "open rtnetlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return hutch_error_errno(err, "bind rtnetlink socket");

	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	memset(ifm, 0, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)idx;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return net_request(nl, nlh, "set lo up", err);
}
