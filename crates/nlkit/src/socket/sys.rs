//! The only place in nlkit with `unsafe`: the few calls that `rustix` does not
//! cover (SOL_NETLINK options, `recvmsg` with netlink control messages,
//! `unshare(CLONE_NEWNET)`, `getnameinfo` for host names).
#![allow(unsafe_code)]

use std::io;
use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsRawFd, BorrowedFd};

/// `SOL_NETLINK`.
pub const SOL_NETLINK: libc::c_int = 270;

/// Sets an `int` socket option.
pub fn set_int_opt(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: `value` is a live c_int for the duration of the call and the length passed is exactly its size;
    // the kernel only reads that many bytes. `fd` is a valid open descriptor borrowed for the call.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&value as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `NETLINK_LIST_MEMBERSHIPS`: the group bitmap, as many u32 words as the
/// protocol has groups.
pub fn list_memberships(fd: BorrowedFd<'_>) -> io::Result<Vec<u32>> {
    let mut words: Vec<u32> = vec![0; 1];
    loop {
        let mut len = (words.len() * 4) as libc::socklen_t;
        // SAFETY: `words` is a live buffer of `len` writable bytes; the kernel writes at most `len` bytes
        // and reports in `len` the size it would need.
        let rc = unsafe {
            libc::getsockopt(
                fd.as_raw_fd(),
                SOL_NETLINK,
                libc::NETLINK_LIST_MEMBERSHIPS,
                words.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        let need = (len as usize).div_ceil(4);
        if need <= words.len() {
            words.truncate(need);
            return Ok(words);
        }
        words.resize(need, 0);
    }
}

/// What `recvmsg` told besides the data.
#[derive(Debug, Default, Clone, Copy)]
pub struct RawRecv {
    /// The datagram's full length (with `MSG_TRUNC`).
    pub full_len: usize,
    /// Sender port id (`nl_pid`).
    pub pid: u32,
    /// Sender group mask (`nl_groups`).
    pub groups: u32,
    /// `NETLINK_PKTINFO`: the group the message came on.
    pub group: Option<u32>,
    /// `NETLINK_LISTEN_ALL_NSID`: the netns id of the sender.
    pub nsid: Option<i32>,
    /// `SCM_CREDENTIALS`: pid, uid, gid.
    pub creds: Option<(u32, u32, u32)>,
}

/// `recvmsg` with a `sockaddr_nl` and room for netlink control messages.
/// Every field of `msghdr` is set (no uninitialised `msg_flags`, the cause of
/// the article's ENOBUFS comment). `flags` are `MSG_*` flags; `MSG_TRUNC` is
/// always added so that the full datagram length is returned.
pub fn recvmsg(fd: BorrowedFd<'_>, buf: &mut [u8], flags: libc::c_int) -> io::Result<RawRecv> {
    // Room for NETLINK_PKTINFO, NETLINK_LISTEN_ALL_NSID and SCM_CREDENTIALS; u64 words keep it aligned for cmsghdr.
    let mut cbuf = [0u64; 16];
    let mut addr = MaybeUninit::<libc::sockaddr_nl>::zeroed();
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // SAFETY: all-zero is a valid msghdr (null pointers, zero lengths); every field used is set below.
    let mut mh: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    mh.msg_name = addr.as_mut_ptr().cast();
    mh.msg_namelen = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    mh.msg_iov = &mut iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf.as_mut_ptr().cast();
    mh.msg_controllen = size_of::<[u64; 16]>() as _;
    mh.msg_flags = 0;
    // SAFETY: `mh` points at live, correctly sized buffers (`buf` through `iov`, `addr`, `cbuf`) that outlive the
    // call; the kernel writes at most the lengths given.
    let n = unsafe { libc::recvmsg(fd.as_raw_fd(), &mut mh, flags | libc::MSG_TRUNC) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let full_len = n as usize;
    let mut out = RawRecv {
        full_len,
        ..RawRecv::default()
    };
    // SAFETY: `addr` was zeroed and the kernel wrote at most msg_namelen bytes of a sockaddr_nl into it.
    let addr = unsafe { addr.assume_init() };
    out.pid = addr.nl_pid;
    out.groups = addr.nl_groups;
    // SAFETY: `mh` is the msghdr the kernel just filled; CMSG_FIRSTHDR/NXTHDR stay within msg_control/controllen,
    // which the kernel trimmed to what it wrote; CMSG_DATA of a header of the right level/type and length holds a
    // value of the type read (read_unaligned, so alignment is not assumed).
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&mh);
        while !c.is_null() {
            let h = &*c;
            let data = libc::CMSG_DATA(c);
            let dlen = h.cmsg_len as usize - (data as usize - c as usize);
            match (h.cmsg_level, h.cmsg_type) {
                (SOL_NETLINK, libc::NETLINK_PKTINFO) if dlen >= 4 => {
                    out.group = Some(std::ptr::read_unaligned(data.cast::<u32>()));
                }
                (SOL_NETLINK, libc::NETLINK_LISTEN_ALL_NSID) if dlen >= 4 => {
                    out.nsid = Some(std::ptr::read_unaligned(data.cast::<i32>()));
                }
                (libc::SOL_SOCKET, libc::SCM_CREDENTIALS) if dlen >= size_of::<libc::ucred>() => {
                    let u = std::ptr::read_unaligned(data.cast::<libc::ucred>());
                    out.creds = Some((u.pid as u32, u.uid, u.gid));
                }
                _ => {}
            }
            c = libc::CMSG_NXTHDR(&mh, c);
        }
    }
    Ok(out)
}

/// Most datagrams one [`recvmmsg`] call takes.
pub const MAX_MMSG: usize = 64;

/// `recvmmsg` of up to `lens.len()` (at most [`MAX_MMSG`]) datagrams into
/// `buf`, cut into slots of `slot` bytes (datagram `i` lands at
/// `i * slot`). `flags` are `MSG_*` flags (`MSG_WAITFORONE`, `MSG_DONTWAIT`);
/// `MSG_TRUNC` is always added, so `lens[i]` is datagram `i`'s full length,
/// larger than `slot` if it was cut. Returns how many were received. No
/// addresses or control messages are asked for.
pub fn recvmmsg(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    slot: usize,
    lens: &mut [usize],
    flags: libc::c_int,
) -> io::Result<usize> {
    let n = lens
        .len()
        .min(MAX_MMSG)
        .min(buf.len().checked_div(slot).unwrap_or(0));
    if n == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "recvmmsg: no room for a datagram",
        ));
    }
    let mut iovs = [libc::iovec {
        iov_base: std::ptr::null_mut(),
        iov_len: 0,
    }; MAX_MMSG];
    for (iov, chunk) in iovs.iter_mut().zip(buf.chunks_exact_mut(slot)).take(n) {
        iov.iov_base = chunk.as_mut_ptr().cast();
        iov.iov_len = slot;
    }
    // SAFETY: all-zero is a valid mmsghdr (null pointers, zero lengths); the fields used are set below.
    let mut hdrs: [libc::mmsghdr; MAX_MMSG] = unsafe { MaybeUninit::zeroed().assume_init() };
    for (h, iov) in hdrs.iter_mut().zip(iovs.iter_mut()).take(n) {
        h.msg_hdr.msg_iov = iov;
        h.msg_hdr.msg_iovlen = 1;
    }
    // SAFETY: the first `n` headers each point at one live iovec that covers a distinct `slot`-byte chunk of
    // `buf`, all of which outlive the call; no name or control buffers are given (null, length 0); the kernel
    // writes at most `slot` bytes per datagram and fills `msg_len`/`msg_flags` of at most `n` headers.
    let got = unsafe {
        libc::recvmmsg(
            fd.as_raw_fd(),
            hdrs.as_mut_ptr(),
            n as libc::c_uint,
            flags | libc::MSG_TRUNC,
            std::ptr::null_mut(),
        )
    };
    if got < 0 {
        return Err(io::Error::last_os_error());
    }
    let got = got as usize;
    for (l, h) in lens.iter_mut().zip(&hdrs[..got]) {
        *l = h.msg_len as usize;
    }
    Ok(got)
}

/// `sendmsg` of several buffers as one datagram to `(pid, groups)`.
pub fn sendmsg(
    fd: BorrowedFd<'_>,
    bufs: &[io::IoSlice<'_>],
    pid: u32,
    groups: u32,
    flags: libc::c_int,
) -> io::Result<usize> {
    // SAFETY: all-zero is a valid sockaddr_nl; the fields are set right after.
    let mut addr: libc::sockaddr_nl = unsafe { MaybeUninit::zeroed().assume_init() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    addr.nl_pid = pid;
    addr.nl_groups = groups;
    // SAFETY: all-zero is a valid msghdr; every field used is set below.
    let mut mh: libc::msghdr = unsafe { MaybeUninit::zeroed().assume_init() };
    mh.msg_name = (&mut addr as *mut libc::sockaddr_nl).cast();
    mh.msg_namelen = size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    // IoSlice is guaranteed ABI-compatible with iovec on Unix.
    mh.msg_iov = bufs.as_ptr() as *mut libc::iovec;
    mh.msg_iovlen = bufs.len() as _;
    // SAFETY: `mh` points at `addr` and at the caller's slices, all live for the call; the kernel only reads them.
    let n = unsafe { libc::sendmsg(fd.as_raw_fd(), &mh, flags) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

/// `unshare(CLONE_NEWNET)` for the calling thread.
pub fn unshare_netns() -> io::Result<()> {
    // SAFETY: only the network namespace is unshared; file descriptor tables and memory are untouched, so no other
    // thread can observe an inconsistent state (the hazard `unshare_unsafe` documents is CLONE_FILES).
    unsafe { rustix::thread::unshare_unsafe(rustix::thread::UnshareFlags::NEWNET) }
        .map_err(io::Error::from)
}

/// The host name of `addr` by `getnameinfo(3)` with `NI_NAMEREQD` (the
/// resolver's sources: `/etc/hosts`, DNS... as `nsswitch.conf` says), or
/// `None` if it has none (or the lookup fails).
pub fn name_of_addr(addr: std::net::IpAddr) -> Option<String> {
    use std::net::IpAddr;
    // NI_MAXHOST.
    let mut host = [0 as libc::c_char; 1025];
    let sin;
    let sin6;
    let (sa, len): (*const libc::sockaddr, usize) = match addr {
        IpAddr::V4(a) => {
            sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: 0,
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.octets()),
                },
                sin_zero: [0; 8],
            };
            (
                (&sin as *const libc::sockaddr_in).cast(),
                size_of::<libc::sockaddr_in>(),
            )
        }
        IpAddr::V6(a) => {
            sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: 0,
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: a.octets(),
                },
                sin6_scope_id: 0,
            };
            (
                (&sin6 as *const libc::sockaddr_in6).cast(),
                size_of::<libc::sockaddr_in6>(),
            )
        }
    };
    // SAFETY: `sa` points to a fully initialised sockaddr_in or sockaddr_in6 (`sin`/`sin6`, alive until the end
    // of this function) whose exact size is `len`; `host` is a writable buffer of the length passed, which
    // getnameinfo fills with a NUL-terminated string on success; no service buffer is asked for (null, 0).
    let rc = unsafe {
        libc::getnameinfo(
            sa,
            len as libc::socklen_t,
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    let bytes: Vec<u8> = host
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8(bytes).ok()
}

/// Registers a socket with the current tokio reactor.
#[cfg(feature = "tokio")]
pub fn register_tokio(sock: super::Socket) -> io::Result<tokio::io::unix::AsyncFd<super::Socket>> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(io::Error::other(
            "an async netlink socket needs a tokio runtime (none is running on this thread)",
        ));
    }
    // SAFETY: the AsyncFd takes ownership of the Socket, which owns its OwnedFd: the descriptor is open, cannot be
    // closed or replaced while the AsyncFd holds it, and Socket::as_raw_fd always returns that same descriptor.
    unsafe { tokio::io::unix::AsyncFd::register_with_interest(sock, tokio::io::Interest::READABLE) }
        .map_err(|e| e.into_parts().1)
}

/// `TUNSETIFF` on an open `/dev/net/tun`: attaches the descriptor to the
/// tun/tap device `name` (made if there is none; an empty name lets the
/// kernel choose `tun%d`/`tap%d`) with `flags` (`IFF_TUN`, `IFF_NO_PI`...).
/// Returns the device's name as the kernel wrote it back (NUL-padded).
pub fn tun_set_iff(
    fd: BorrowedFd<'_>,
    name: &[u8],
    flags: u16,
) -> io::Result<[u8; libc::IFNAMSIZ]> {
    if name.len() >= libc::IFNAMSIZ || name.contains(&0) {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    }
    // SAFETY: all-zero is a valid ifreq (a NUL name, a zero union).
    let mut ifr: libc::ifreq = unsafe { MaybeUninit::zeroed().assume_init() };
    for (d, s) in ifr.ifr_name.iter_mut().zip(name) {
        *d = *s as libc::c_char;
    }
    ifr.ifr_ifru.ifru_flags = flags as libc::c_short;
    // SAFETY: TUNSETIFF reads and writes one `struct ifreq`; `ifr` is a live, writable ifreq for the whole call
    // and its name is NUL-terminated (shorter than IFNAMSIZ, checked above). `fd` is open, borrowed for the call.
    let rc = unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            libc::TUNSETIFF,
            &mut ifr as *mut libc::ifreq,
        )
    };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(ifr.ifr_name.map(|c| c as u8))
}

/// A tun ioctl whose argument is a plain number, not a pointer
/// (`TUNSETPERSIST`, `TUNSETOWNER`, `TUNSETGROUP`).
pub fn tun_set_value(
    fd: BorrowedFd<'_>,
    request: TunValue,
    value: libc::c_ulong,
) -> io::Result<()> {
    let req = match request {
        TunValue::Persist => libc::TUNSETPERSIST,
        TunValue::Owner => libc::TUNSETOWNER,
        TunValue::Group => libc::TUNSETGROUP,
    };
    // SAFETY: these three requests take their argument by value (the kernel reads `arg` itself and dereferences
    // nothing), so no memory is shared with the kernel; `fd` is open, borrowed for the call.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), req, value) };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The tun ioctls [`tun_set_value`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TunValue {
    /// `TUNSETPERSIST`: the device outlives the descriptor (1) or not (0).
    Persist,
    /// `TUNSETOWNER`: the uid that may attach.
    Owner,
    /// `TUNSETGROUP`: the gid that may attach.
    Group,
}
