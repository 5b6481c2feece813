//! rtnetlink (`NETLINK_ROUTE`): links, addresses, routes, neighbours, rules.
