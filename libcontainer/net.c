/* rtnetlink (libmnl): loopback up in a new network namespace, and
 * linux.netDevices, host interfaces moved into the container's. */
#include "net.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "utils.h"

static void mnl_closep(struct mnl_socket **nl)
{
	if (*nl)
		mnl_socket_close(*nl);
}
#define cleanup_mnl __attribute__((cleanup(mnl_closep)))

static int nl_open(struct mnl_socket **out, struct hutch_error **err)
{
	cleanup_mnl struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (nl == NULL)
		return hutch_error_errno(err, "open rtnetlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return hutch_error_errno(err, "bind rtnetlink socket");
	/* The kernel's own words on errors ("Invalid argument" alone says little). */
	int one = 1;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	*out = take_ptr(&nl);
	return 0;
}

struct nl_reply {
	mnl_cb_t cb;        /* for data messages (dumps, get), or NULL */
	void *data;
	char extack[128];   /* NLMSGERR_ATTR_MSG of a failure */
};

static int extack_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		snprintf(data, 128, "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	struct nl_reply *r = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return errno = EBADMSG, MNL_CB_ERROR;
	if (e->error == 0)
		return MNL_CB_STOP;
	unsigned int off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += (unsigned int)mnl_nlmsg_get_payload_len(&e->msg);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off < mnl_nlmsg_get_payload_len(nlh))
		mnl_attr_parse(nlh, off, extack_attr, r->extack);
	errno = -e->error;
	return MNL_CB_ERROR;
}

static int on_done(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

static int on_overrun(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return errno = ENOSPC, MNL_CB_ERROR;
}

static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct nl_reply *r = data;
	return r->cb ? r->cb(nlh, r->data) : MNL_CB_OK;
}

/* One request; its answer: the ACK, or the data and NLMSG_DONE of a dump. */
static int nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		      const char *what, struct hutch_error **err)
{
	/* One request at a time on a socket, each read to its end: a repeated
	 * sequence number cannot be mistaken for another request's. */
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return hutch_error_errno(err, "%s: netlink send", what);
	/* The kernel fills dump datagrams up to 32 KiB; libmnl reports a truncated one. */
	size_t size = 32768;
	cleanup_free char *buf = xmalloc(size);
	unsigned int portid = mnl_socket_get_portid(nl);
	struct nl_reply r = { .cb = cb, .data = data };
	/* With a control table, libmnl has no defaults for the types left out. */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = on_error, [NLMSG_DONE] = on_done,
					 [NLMSG_OVERRUN] = on_overrun };
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hutch_error_errno(err, "%s: netlink receive", what);
		int rc = mnl_cb_run2(buf, (size_t)n, nlh->nlmsg_seq, portid, on_data, &r, ctl, NLMSG_MIN_TYPE);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0 && r.extack[0])
			return hutch_error_set(err, errno, "%s: %s (%s)", what, strerror(errno), r.extack);
		if (rc < 0)
			return hutch_error_errno(err, "%s", what);
	}
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

static int link_set_up(struct mnl_socket *nl, int index, const char *what, struct hutch_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, index);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return nl_request(nl, nlh, NULL, NULL, what, err);
}

int net_loopback_up(struct hutch_error **err)
{
	unsigned int idx = if_nametoindex("lo");
	if (idx == 0)
		return hutch_error_errno(err, "find interface lo");
	cleanup_mnl struct mnl_socket *nl = NULL;
	if (nl_open(&nl, err) < 0)
		return -1;
	return link_set_up(nl, (int)idx, "set lo up", err);
}

/* ---- linux.netDevices ---- */

const bool net_devices_supported = true;

struct link_info {
	int index;
	unsigned char mac[32];
	size_t mac_len;
};

static int link_info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	li->index = ifm->ifi_index;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(*ifm)) {
		uint16_t len = mnl_attr_get_payload_len(a);
		if (mnl_attr_get_type(a) == IFLA_ADDRESS && len <= sizeof(li->mac)) {
			memcpy(li->mac, mnl_attr_get_payload(a), len);
			li->mac_len = len;
		}
	}
	return MNL_CB_OK;
}

/* The link named `name` (index 0: by name) or with `index`; ENODEV when none. */
static int link_get(struct mnl_socket *nl, const char *name, int index, struct link_info *li,
		    struct hutch_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, index);
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	memset(li, 0, sizeof(*li));
	return nl_request(nl, nlh, link_info_cb, li, "find the device", err);
}

/* Addresses to carry over: config-linux.md "all permanent IP addresses
 * (IFA_F_PERMANENT flag) of any family with global scope (RT_SCOPE_UNIVERSE)". */
struct addr_list {
	int index;
	struct nlmsghdr **msgs;
	size_t n;
};

static void addr_list_release(struct addr_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->msgs[i]);
	free(l->msgs);
}

static uint32_t addr_flags(const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(*ifa))
		if (mnl_attr_get_type(a) == IFA_FLAGS && mnl_attr_get_payload_len(a) == 4)
			return mnl_attr_get_u32(a);
	return ifa->ifa_flags;
}

static int addr_keep_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_list *l = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	if ((int)ifa->ifa_index != l->index || ifa->ifa_scope != RT_SCOPE_UNIVERSE ||
	    !(addr_flags(nlh) & IFA_F_PERMANENT))
		return MNL_CB_OK;
	l->msgs = xrealloc(l->msgs, sizeof(*l->msgs) * (l->n + 1));
	l->msgs[l->n] = xmalloc(nlh->nlmsg_len);
	memcpy(l->msgs[l->n++], nlh, nlh->nlmsg_len);
	return MNL_CB_OK;
}

static int addr_dump(struct mnl_socket *nl, struct addr_list *l, struct hutch_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_DUMP;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	return nl_request(nl, nlh, addr_keep_cb, l, "list its addresses", err);
}

/* The flags a user may set on an address (the rest are the kernel's state). */
#define ADDR_USER_FLAGS (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | \
			 IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN)

/* The kernel drops a device's addresses when it changes namespace: add them again. */
static int addr_add(struct mnl_socket *nl, const struct nlmsghdr *old, int index,
		    struct hutch_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct ifaddrmsg *o = mnl_nlmsg_get_payload(old);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	*ifa = (struct ifaddrmsg){ .ifa_family = o->ifa_family, .ifa_prefixlen = o->ifa_prefixlen,
				   .ifa_scope = o->ifa_scope, .ifa_index = (uint32_t)index };
	const struct nlattr *a;
	mnl_attr_for_each(a, old, sizeof(*o)) {
		uint16_t t = mnl_attr_get_type(a);
		if (t == IFA_LOCAL || t == IFA_ADDRESS || t == IFA_BROADCAST || t == IFA_RT_PRIORITY ||
		    t == IFA_PROTO)
			mnl_attr_put(nlh, t, mnl_attr_get_payload_len(a), mnl_attr_get_payload(a));
	}
	mnl_attr_put_u32(nlh, IFA_FLAGS, addr_flags(old) & ADDR_USER_FLAGS);
	return nl_request(nl, nlh, NULL, NULL, "add an address back", err);
}

/* Namespace change and rename in one request, so the device never holds a name
 * that could clash on either side. */
static int link_move(struct mnl_socket *nl, int index, int nsfd, const char *name,
		     struct hutch_error **err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, index);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)nsfd);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_request(nl, nlh, NULL, NULL, "move it into the container's network namespace", err);
}

/* A socket talks to the namespace it was created in: make one there. */
static int nl_open_in(int nsfd, struct mnl_socket **out, struct hutch_error **err)
{
	cleanup_close int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return hutch_error_errno(err, "open /proc/self/ns/net");
	if (setns(nsfd, CLONE_NEWNET) < 0)
		return hutch_error_errno(err, "enter the container's network namespace");
	int r = nl_open(out, err);
	if (setns(self, CLONE_NEWNET) < 0)
		return hutch_error_errno(err, "return to the runtime's network namespace");
	return r;
}

struct netdev_move {
	struct mnl_socket *host, *ctr;
	int nsfd;
};

/* With a "%d" template the kernel picks the name: find the device by the index
 * it keeps when free, checked against its hardware address. */
static int netdev_find_moved(const struct netdev_move *mv, const char *name,
			     const struct link_info *before, struct link_info *after,
			     struct hutch_error **err)
{
	if (strchr(name, '%') == NULL)
		return link_get(mv->ctr, name, 0, after, err);
	if (link_get(mv->ctr, NULL, before->index, after, err) == 0 && after->mac_len == before->mac_len &&
	    memcmp(after->mac, before->mac, before->mac_len) == 0)
		return 0;
	return hutch_error_set(err, ENODEV, "the moved device is not found (renamed by the template %s)", name);
}

static int netdev_move_one(const struct netdev_move *mv, const struct spec_net_device *d,
			   struct hutch_error **err)
{
	const char *name = d->name && d->name[0] ? d->name : d->host_name;
	struct link_info li, moved;
	if (link_get(mv->host, d->host_name, 0, &li, err) < 0)
		return -1;
	/* config-linux.md: "If a network device with the specified name already
	 * exists in the container namespace, the runtime MUST generate an error,
	 * unless the user has provided a template by appending %d". Checked
	 * first: the kernel would move the device and then fail the rename. */
	if (strchr(name, '%') == NULL && link_get(mv->ctr, name, 0, &moved, NULL) == 0)
		return hutch_error_set(err, EEXIST, "%s already exists in the container's network namespace", name);
	struct addr_list addrs = { .index = li.index };
	int r = addr_dump(mv->host, &addrs, err);
	if (r == 0)
		r = link_move(mv->host, li.index, mv->nsfd, name, err);
	if (r == 0)
		r = netdev_find_moved(mv, name, &li, &moved, err);
	for (size_t i = 0; r == 0 && i < addrs.n; i++)
		r = addr_add(mv->ctr, addrs.msgs[i], moved.index, err);
	addr_list_release(&addrs);
	if (r == 0)
		r = link_set_up(mv->ctr, moved.index, "set it up", err);
	return r;
}

int net_devices_move(const struct spec_linux *l, pid_t pid, struct hutch_error **err)
{
	if (l == NULL || l->n_net_devices == 0)
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	cleanup_close int nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return hutch_error_errno(err, "linux.netDevices: open %s", path);
	cleanup_mnl struct mnl_socket *host = NULL, *ctr = NULL;
	if (nl_open(&host, err) < 0 || nl_open_in(nsfd, &ctr, err) < 0)
		return hutch_error_wrap(err, "linux.netDevices");
	struct netdev_move mv = { .host = host, .ctr = ctr, .nsfd = nsfd };
	/* config-linux.md: the runtime "MUST NOT attempt to move the interface out
	 * of the namespace": on failure, or when the namespace goes, the kernel
	 * gives physical devices back and destroys virtual ones. */
	for (size_t i = 0; i < l->n_net_devices; i++)
		if (netdev_move_one(&mv, &l->net_devices[i], err) < 0)
			return hutch_error_wrap(err, "linux.netDevices.%s", l->net_devices[i].host_name);
	return 0;
}

/* The kernel's dev_valid_name(); "%d" is allowed in the new name (a template). */
static bool netdev_name_valid(const char *n)
{
	size_t len = strlen(n);
	if (len == 0 || len >= IFNAMSIZ || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return false;
	for (const char *p = n; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return false;
	return true;
}

static const char *netdev_target(const struct spec_net_device *d)
{
	return d->name && d->name[0] ? d->name : d->host_name;
}

static int netns_check(const struct spec *s, struct hutch_error **err)
{
	const struct spec_namespace *ns = spec_find_namespace(s, SPEC_NS_NETWORK);
	if (ns == NULL)
		return hutch_error_set(err, EINVAL, "linux.netDevices: the container has no network "
				       "namespace of its own to move the devices into");
	struct stat a, b;
	if (ns->path && stat(ns->path, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return hutch_error_set(err, EINVAL, "linux.netDevices: the network namespace %s is "
				       "the runtime's own", ns->path);
	return 0;
}

static int netdev_check(const struct spec_linux *l, size_t i, struct hutch_error **err)
{
	const struct spec_net_device *d = &l->net_devices[i];
	if (!netdev_name_valid(d->host_name))
		return hutch_error_set(err, EINVAL, "linux.netDevices: invalid device name \"%s\"", d->host_name);
	if (d->name && !netdev_name_valid(d->name))
		return hutch_error_set(err, EINVAL, "linux.netDevices.%s.name: invalid device name \"%s\"",
				       d->host_name, d->name);
	/* config-linux.md: "The runtime MUST check if moving the network interface
	 * to the container namespace is possible." */
	if (if_nametoindex(d->host_name) == 0)
		return hutch_error_set(err, ENODEV, "linux.netDevices.%s: no such network device on the host",
				       d->host_name);
	const char *t = netdev_target(d);
	for (size_t j = 0; j < i && strchr(t, '%') == NULL; j++)
		if (strcmp(t, netdev_target(&l->net_devices[j])) == 0)
			return hutch_error_set(err, EEXIST, "linux.netDevices.%s: %s is also the name of "
					       "linux.netDevices.%s in the container", d->host_name, t,
					       l->net_devices[j].host_name);
	return 0;
}

int net_devices_validate(const struct spec *s, struct hutch_error **err)
{
	const struct spec_linux *l = s->linux_;
	if (l == NULL || l->n_net_devices == 0)
		return 0;
	if (netns_check(s, err) < 0)
		return -1;
	for (size_t i = 0; i < l->n_net_devices; i++)
		if (netdev_check(l, i, err) < 0)
			return -1;
	return 0;
}
