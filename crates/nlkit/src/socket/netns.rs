//! Network namespaces: open a socket inside another netns, or run code in a
//! fresh one, without ever moving the caller's thread.
//!
//! A socket belongs to the netns it was created in for its whole life, so the
//! trick is to create it on a short-lived helper thread that has entered the
//! namespace (`setns`) and hand the descriptor back.

use super::{sys, Socket};
use crate::wire::Protocol;
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// A network namespace to open a socket in.
#[derive(Debug, Clone, Copy)]
pub enum Netns<'a> {
    /// A name made by `ip netns add` (`/run/netns/NAME`).
    Named(&'a str),
    /// A netns file (a bind mount or `/proc/PID/ns/net`).
    Path(&'a Path),
    /// An open netns descriptor.
    Fd(BorrowedFd<'a>),
    /// The netns of a process.
    Pid(u32),
}

impl Netns<'_> {
    fn path(&self) -> Option<PathBuf> {
        match *self {
            Netns::Named(n) => Some(Path::new("/run/netns").join(n)),
            Netns::Path(p) => Some(p.to_path_buf()),
            Netns::Pid(pid) => Some(PathBuf::from(format!("/proc/{pid}/ns/net"))),
            Netns::Fd(_) => None,
        }
    }

    /// Runs `f` on a helper thread that has entered this namespace; the
    /// caller's thread never changes namespace.
    pub fn run<R: Send>(&self, f: impl FnOnce() -> io::Result<R> + Send) -> io::Result<R> {
        let file;
        let fd = match (self, self.path()) {
            (Netns::Fd(fd), _) => *fd,
            (_, Some(p)) => {
                file = File::open(&p)
                    .map_err(|e| super::with_context(e, format!("open netns {}", p.display())))?;
                file.as_fd()
            }
            _ => unreachable!("every Netns variant but Fd has a path"),
        };
        std::thread::scope(|s| {
            s.spawn(|| {
                rustix::thread::move_into_link_name_space(
                    fd,
                    Some(rustix::thread::LinkNameSpaceType::Network),
                )
                .map_err(|e| super::with_context(e.into(), "setns"))?;
                f()
            })
            .join()
            .map_err(|_| io::Error::other("netns helper thread panicked"))?
        })
    }

    /// Opens (and binds, port id chosen by the kernel) a socket of `proto` in this namespace.
    pub fn open(&self, proto: Protocol) -> io::Result<Socket> {
        self.run(|| Socket::open(proto))
    }

    /// A sysfs that shows this namespace's net devices (`class/net/...`), as
    /// `ip -n` mounts on `/sys`: a new sysfs instance made on a helper thread
    /// in the namespace and mounted nowhere (`fsopen`/`fsmount`, Linux 5.2+;
    /// needs `CAP_SYS_ADMIN`), so no mount table changes. Read it with
    /// `openat` relative to the returned directory descriptor.
    pub fn sysfs(&self) -> io::Result<OwnedFd> {
        self.run(|| {
            use rustix::mount::{FsMountFlags, FsOpenFlags, MountAttrFlags};
            let ctx = rustix::mount::fsopen("sysfs", FsOpenFlags::FSOPEN_CLOEXEC)
                .map_err(|e| super::with_context(e.into(), "fsopen sysfs"))?;
            rustix::mount::fsconfig_create(&ctx)
                .map_err(|e| super::with_context(e.into(), "fsconfig sysfs"))?;
            rustix::mount::fsmount(
                &ctx,
                FsMountFlags::FSMOUNT_CLOEXEC,
                MountAttrFlags::MOUNT_ATTR_RDONLY,
            )
            .map_err(|e| super::with_context(e.into(), "fsmount sysfs"))
        })
    }
}

/// Runs `f` on a new thread in a fresh, empty network namespace (only a `lo`
/// that is down) and returns its result. Threads that `f` spawns share that
/// namespace, and sockets it opens stay in it. Needs `CAP_SYS_ADMIN`.
///
/// This is how nlkit's own tests talk to the real kernel without touching the
/// host's interfaces.
pub fn in_new_netns<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> io::Result<R> {
    let handle = std::thread::spawn(move || {
        sys::unshare_netns().map_err(|e| super::with_context(e, "unshare(CLONE_NEWNET)"))?;
        Ok(f())
    });
    match handle.join() {
        Ok(r) => r,
        // Let a panicking closure fail its caller (a test) with the original message.
        Err(p) => std::panic::resume_unwind(p),
    }
}
