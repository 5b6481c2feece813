//! `-r` / `-resolve`: host names instead of addresses, where ip prints them
//! (`format_host`: route destinations and sources of host length,
//! gateways, `via` hosts; address `local`, peer, `brd`, `any`; neighbour
//! destinations; nexthop gateways; a rule's `map-to`).
//!
//! One cache for the process, as ip's: each address is asked once
//! ([`nlkit::socket::host_name`]: `getnameinfo(3)`, so `/etc/hosts`, DNS...
//! as `nsswitch.conf` says), a miss remembered as one, so a dump of many
//! routes over one gateway resolves it once. Off unless [`enable`]d: then
//! [`name`] costs one atomic load. With `-n NETNS`, unlike ip (which moves
//! itself into the netns), the lookup is made from nlkit's own netns.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static ON: AtomicBool = AtomicBool::new(false);
type Cache = Option<HashMap<IpAddr, Option<String>>>;
static CACHE: Mutex<Cache> = Mutex::new(None);

/// More addresses than this and the cache starts over (memory stays bounded).
const MAX_CACHED: usize = 65_536;

/// Turns host names on (`-r`).
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
}

/// With `-r`, the host name of `a`; `None` without `-r` or if it has none.
#[inline]
pub fn name(a: IpAddr) -> Option<String> {
    if !ON.load(Ordering::Relaxed) {
        return None;
    }
    looked_up(a)
}

/// `name` with `-r`: through the cache.
#[cold]
#[inline(never)]
fn looked_up(a: IpAddr) -> Option<String> {
    // A panic elsewhere while holding the lock leaves the map usable.
    let mut guard = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cached(
        guard.get_or_insert_with(HashMap::new),
        a,
        nlkit::socket::host_name,
    )
}

/// `a`'s entry in `cache`, asking `lookup` only for an address not in it.
fn cached(
    cache: &mut HashMap<IpAddr, Option<String>>,
    a: IpAddr,
    lookup: impl FnOnce(IpAddr) -> Option<String>,
) -> Option<String> {
    if let Some(n) = cache.get(&a) {
        return n.clone();
    }
    if cache.len() >= MAX_CACHED {
        cache.clear();
    }
    let n = lookup(a);
    cache.insert(a, n.clone());
    n
}

/// `a` as ip's `format_host` writes it: with `-r` its host name if it has
/// one, else the address.
pub fn text(a: IpAddr) -> String {
    name(a).unwrap_or_else(|| a.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_unless_enabled() {
        // (Never enabled in unit tests: the other printers' tests would resolve.)
        let a: IpAddr = "192.0.2.77".parse().unwrap();
        assert_eq!(name(a), None);
        assert_eq!(text(a), "192.0.2.77");
    }

    #[test]
    fn each_address_is_asked_once_a_miss_too() {
        let mut c = HashMap::new();
        let (a, b): (IpAddr, IpAddr) = ("10.9.0.254".parse().unwrap(), "fd09::1".parse().unwrap());
        let mut asked = Vec::new();
        for x in [a, b, a, b, a] {
            let n = cached(&mut c, x, |x| {
                asked.push(x);
                (x == a).then(|| "gw.example".to_string())
            });
            assert_eq!(n.as_deref(), (x == a).then_some("gw.example"));
        }
        assert_eq!(asked, [a, b]);
    }
}
