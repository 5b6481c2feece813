//! Generic netlink (`NETLINK_GENERIC`): families resolved by name through `nlctrl`.
