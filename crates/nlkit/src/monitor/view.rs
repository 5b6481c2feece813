//! The monitor's view: one record per object, all in one arena.
//!
//! A record is the object's key and last message behind a small header:
//!
//! ```text
//!  0               8               16      20      22      24
//! +---------------+---------------+-------+-------+-------+-----------+---------------+
//! | key hash      | fingerprint   | epoch | key   | (pad) | key,      | message       |
//! | (u64)         | (u64)         | (u32) | length|       | padded    | (nlmsg_len,   |
//! |               |               |       | (u16) |       | to 4      |  padded to 4) |
//! +---------------+---------------+-------+-------+-------+-----------+---------------+
//! ```
//!
//! Epoch 0 marks a dead record (deleted or replaced); its bytes stay until
//! [`View::compact`] slides the live records down. The index is a hash table
//! of record offsets (in units of 4 bytes) keyed by the key hash, confirmed
//! by comparing the stored key. Per object this costs the message, the key,
//! 24 bytes and about 5 bytes of table, instead of two allocations.
//!
//! Nothing here panics on any input: offsets come only from the table or a
//! walk of the arena, both of which only ever hold whole records.

use crate::wire::{align, Msg, NLMSG_HDRLEN};
use hashbrown::HashTable;

mod field {
    use core::ops::Range;
    pub const HASH: Range<usize> = 0..8;
    pub const FINGERPRINT: Range<usize> = 8..16;
    pub const EPOCH: Range<usize> = 16..20;
    pub const KEY_LEN: Range<usize> = 20..22;
    pub const KEY: usize = 24;
}

/// The epoch of dead records.
pub(crate) const DEAD: u32 = 0;

/// Garbage below this many bytes is never worth a compaction.
const COMPACT_MIN: usize = 1 << 20;

/// What a record holds, read back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Record<'a> {
    pub hash: u64,
    pub fingerprint: u64,
    pub epoch: u32,
    pub key: &'a [u8],
    pub msg: &'a [u8],
}

/// The arena and its index.
#[derive(Default)]
pub(crate) struct View {
    arena: Vec<u8>,
    table: HashTable<u32>,
    dead_bytes: usize,
}

fn read_u64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_ne_bytes)
        .unwrap_or(0)
}

fn read_u32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map(u32::from_ne_bytes)
        .unwrap_or(0)
}

fn read_u16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .map(u16::from_ne_bytes)
        .unwrap_or(0)
}

/// The record at byte offset `at` of `arena` (whole, or `None` past the end).
fn record_at(arena: &[u8], at: usize) -> Option<Record<'_>> {
    let key_at = at + field::KEY;
    let key_len = read_u16(arena, at + field::KEY_LEN.start) as usize;
    let key = arena.get(key_at..key_at + key_len)?;
    let msg_at = key_at + align(key_len);
    let len = read_u32(arena, msg_at) as usize;
    let msg = arena.get(msg_at..msg_at.checked_add(len)?)?;
    Some(Record {
        hash: read_u64(arena, at + field::HASH.start),
        fingerprint: read_u64(arena, at + field::FINGERPRINT.start),
        epoch: read_u32(arena, at + field::EPOCH.start),
        key,
        msg,
    })
}

fn record_len(key_len: usize, msg_len: usize) -> usize {
    field::KEY + align(key_len) + align(msg_len)
}

impl<'a> Record<'a> {
    /// A record to insert.
    pub fn new(hash: u64, key: &'a [u8], fingerprint: u64, epoch: u32, msg: &'a [u8]) -> Self {
        Record {
            hash,
            fingerprint,
            epoch,
            key,
            msg,
        }
    }

    fn len(&self) -> usize {
        record_len(self.key.len(), self.msg.len())
    }
}

impl View {
    /// Number of live records.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Bytes the arena holds (live and dead records).
    pub fn arena_bytes(&self) -> usize {
        self.arena.len()
    }

    /// The record at `off` (a handle from this view).
    pub fn get(&self, off: u32) -> Option<Record<'_>> {
        record_at(&self.arena, off as usize * 4)
    }

    /// The live record with key `key` (whose hash is `hash`).
    pub fn find(&self, hash: u64, key: &[u8]) -> Option<u32> {
        let arena = &self.arena;
        self.table
            .find(hash, |&off| {
                record_at(arena, off as usize * 4).is_some_and(|r| r.hash == hash && r.key == key)
            })
            .copied()
    }

    fn append(&mut self, r: Record<'_>) -> Option<u32> {
        let at = self.arena.len();
        let off = u32::try_from(at / 4).ok()?;
        let key_len = u16::try_from(r.key.len()).ok()?;
        if r.msg.len() < NLMSG_HDRLEN || read_u32(r.msg, 0) as usize != r.msg.len() {
            return None;
        }
        let len = r.len();
        self.arena.reserve(len);
        self.arena.extend_from_slice(&r.hash.to_ne_bytes());
        self.arena.extend_from_slice(&r.fingerprint.to_ne_bytes());
        self.arena.extend_from_slice(&r.epoch.to_ne_bytes());
        self.arena.extend_from_slice(&key_len.to_ne_bytes());
        self.arena.extend_from_slice(&[0, 0]);
        self.arena.extend_from_slice(r.key);
        self.arena.resize(align(self.arena.len()), 0);
        self.arena.extend_from_slice(r.msg);
        self.arena.resize(at + len, 0);
        Some(off)
    }

    /// Adds a record for a key that is not in the view. `None` if the
    /// message is not exactly one message, the key is over 64 KiB or the
    /// arena would pass 16 GiB.
    pub fn insert(&mut self, r: Record<'_>) -> Option<u32> {
        let off = self.append(r)?;
        let arena = &self.arena;
        self.table.insert_unique(r.hash, off, |&o| {
            read_u64(arena, o as usize * 4 + field::HASH.start)
        });
        Some(off)
    }

    /// Replaces the live record `off` with a new state of the same object:
    /// in place if it fits the old record exactly, else appended (the old
    /// one becomes garbage). Returns the record's handle.
    pub fn replace(&mut self, off: u32, fingerprint: u64, epoch: u32, msg: &[u8]) -> Option<u32> {
        let old = self.get(off)?;
        let at = off as usize * 4;
        let (hash, old_len, key_len) = (old.hash, old.len(), old.key.len());
        if old_len == record_len(key_len, msg.len()) && read_u32(msg, 0) as usize == msg.len() {
            let start = at + field::FINGERPRINT.start;
            self.arena[start..start + 8].copy_from_slice(&fingerprint.to_ne_bytes());
            self.set_epoch(off, epoch);
            let m = at + field::KEY + align(key_len);
            self.arena[m..m + msg.len()].copy_from_slice(msg);
            return Some(off);
        }
        let key = old.key.to_vec();
        let new = self.append(Record::new(hash, &key, fingerprint, epoch, msg))?;
        self.set_epoch(off, DEAD);
        self.dead_bytes += old_len;
        if let Some(slot) = self.table.find_mut(hash, |&o| o == off) {
            *slot = new;
        }
        Some(new)
    }

    /// Marks the record `off` seen in `epoch`.
    pub fn set_epoch(&mut self, off: u32, epoch: u32) {
        let start = off as usize * 4 + field::EPOCH.start;
        if let Some(b) = self.arena.get_mut(start..start + 4) {
            b.copy_from_slice(&epoch.to_ne_bytes());
        }
    }

    /// Removes the live record `off` from the index; its bytes stay (dead)
    /// until the next compaction, so a handle to it can still be read.
    pub fn remove(&mut self, off: u32) {
        let Some(r) = self.get(off) else { return };
        let (hash, len) = (r.hash, r.len());
        if let Ok(e) = self.table.find_entry(hash, |&o| o == off) {
            e.remove();
            self.set_epoch(off, DEAD);
            self.dead_bytes += len;
        }
    }

    /// Live records in arena order: (handle, record).
    pub fn iter(&self) -> impl Iterator<Item = (u32, Record<'_>)> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || loop {
            let r = record_at(&self.arena, at)?;
            let off = (at / 4) as u32;
            at += r.len();
            if r.epoch != DEAD {
                return Some((off, r));
            }
        })
    }

    /// Removes every live record not seen in `epoch`, calling `gone` with
    /// each one's handle (the bytes stay readable until a compaction).
    pub fn sweep(&mut self, epoch: u32, mut gone: impl FnMut(u32)) {
        let stale: Vec<u32> = self
            .iter()
            .filter(|(_, r)| r.epoch != epoch)
            .map(|(off, _)| off)
            .collect();
        for off in stale {
            self.remove(off);
            gone(off);
        }
    }

    /// Whether garbage is a quarter of the arena or more (and worth it).
    pub fn wants_compaction(&self) -> bool {
        self.dead_bytes >= COMPACT_MIN && self.dead_bytes * 4 >= self.arena.len()
    }

    /// Slides the live records down over the dead ones, in place, and gives
    /// memory back. Invalidates every handle held outside the table.
    pub fn compact(&mut self) {
        let (mut read, mut write) = (0usize, 0usize);
        while let Some(r) = record_at(&self.arena, read) {
            let (hash, epoch, len) = (r.hash, r.epoch, r.len());
            if epoch != DEAD {
                if read != write {
                    self.arena.copy_within(read..read + len, write);
                    let (old, new) = ((read / 4) as u32, (write / 4) as u32);
                    if let Some(slot) = self.table.find_mut(hash, |&o| o == old) {
                        *slot = new;
                    }
                }
                write += len;
            }
            read += len;
        }
        self.arena.truncate(write);
        if self.arena.capacity() > write + write / 2 {
            self.arena.shrink_to(write + write / 4);
        }
        self.dead_bytes = 0;
    }
}

/// A view's message as a [`Msg`] (records hold whole, checked messages).
pub(crate) fn msg(bytes: &[u8]) -> crate::wire::Result<Msg<&[u8]>> {
    Msg::new_checked(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(ty: u16, payload: &[u8]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&((16 + payload.len()) as u32).to_ne_bytes());
        b.extend_from_slice(&ty.to_ne_bytes());
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(payload);
        b
    }

    #[test]
    fn insert_find_replace_remove() {
        let mut v = View::default();
        let a = v
            .insert(Record::new(1, b"a", 10, 1, &m(24, &[1, 2, 3])))
            .unwrap();
        let b = v
            .insert(Record::new(2, b"bb", 20, 1, &m(24, &[4])))
            .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v.find(1, b"a"), Some(a));
        assert_eq!(v.find(1, b"b"), None); // the stored key decides, not the hash
        assert_eq!(v.get(b).unwrap().msg, &m(24, &[4])[..]);
        assert_eq!(v.get(b).unwrap().key, b"bb");
        // Same padded size: in place.
        assert_eq!(v.replace(a, 11, 1, &m(24, &[9, 9, 9, 9])), Some(a));
        assert_eq!(v.get(a).unwrap().fingerprint, 11);
        assert_eq!(v.get(a).unwrap().msg, &m(24, &[9, 9, 9, 9])[..]);
        // Bigger: appended, the old record dead, the index follows, the key kept.
        let a2 = v.replace(a, 12, 1, &m(24, &[7; 9])).unwrap();
        assert_ne!(a2, a);
        assert_eq!(v.find(1, b"a"), Some(a2));
        assert_eq!(v.get(a2).unwrap().key, b"a");
        assert_eq!(v.get(a).unwrap().epoch, DEAD);
        assert_eq!(v.iter().count(), 2);
        v.remove(b);
        assert_eq!(v.len(), 1);
        assert_eq!(v.find(2, b"bb"), None);
        assert_eq!(v.get(b).unwrap().msg, &m(24, &[4])[..]); // readable until compaction
    }

    #[test]
    fn colliding_hashes_are_told_apart_by_the_key() {
        let mut v = View::default();
        let a = v
            .insert(Record::new(7, b"one", 0, 1, &m(24, &[1])))
            .unwrap();
        let b = v
            .insert(Record::new(7, b"two", 0, 1, &m(24, &[2])))
            .unwrap();
        assert_eq!(v.find(7, b"one"), Some(a));
        assert_eq!(v.find(7, b"two"), Some(b));
        v.remove(a);
        assert_eq!(v.find(7, b"two"), Some(b));
        assert_eq!(v.find(7, b"one"), None);
    }

    #[test]
    fn sweep_and_compact_keep_the_live_records() {
        let mut v = View::default();
        for i in 0..1000u64 {
            v.insert(Record::new(
                i,
                &i.to_ne_bytes()[..(i % 8) as usize + 1],
                i,
                1,
                &m(24, &i.to_ne_bytes()),
            ))
            .unwrap();
        }
        for i in (0..1000u64).step_by(3) {
            let off = v.find(i, &i.to_ne_bytes()[..(i % 8) as usize + 1]).unwrap();
            v.set_epoch(off, 2);
        }
        let mut gone = 0;
        v.sweep(2, |_| gone += 1);
        assert_eq!(gone, 666);
        assert_eq!(v.len(), 334);
        let before = v.arena_bytes();
        v.compact();
        assert!(v.arena_bytes() < before / 2);
        for i in 0..1000u64 {
            let got = v
                .find(i, &i.to_ne_bytes()[..(i % 8) as usize + 1])
                .map(|off| v.get(off).unwrap().msg[16..].to_vec());
            assert_eq!(got, (i % 3 == 0).then(|| i.to_ne_bytes().to_vec()), "{i}");
        }
        assert_eq!(v.iter().count(), 334);
    }

    #[test]
    fn bad_messages_and_keys_are_refused() {
        let mut v = View::default();
        assert_eq!(v.insert(Record::new(1, b"k", 0, 1, &[1, 2, 3])), None);
        let mut short = m(24, &[1, 2]);
        short.truncate(17);
        assert_eq!(v.insert(Record::new(1, b"k", 0, 1, &short)), None);
        assert_eq!(
            v.insert(Record::new(1, &vec![0; 70_000], 0, 1, &m(24, &[]))),
            None
        );
        assert_eq!(v.len(), 0);
    }
}
