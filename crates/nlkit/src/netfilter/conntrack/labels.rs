//! Connection tracking labels by name: the bit-to-name map of
//! `connlabel.conf` (`/etc/xtables/connlabel.conf`, lines `BIT NAME`, `#`
//! comments), and the label bit field as `CTA_LABELS` carries it (bit `i`
//! in native-endian 32-bit word `i / 32`, 128 bits). Reading a map never
//! panics; a line that does not read is an error naming the line.

use std::fmt;

/// The label bit field's size (`NF_CT_LABELS_MAX_SIZE`): 128 bits.
pub const LABELS_LEN: usize = 16;

/// The path conntrack-tools and nft read the names from.
pub const CONNLABEL_CONF: &str = "/etc/xtables/connlabel.conf";

/// A line of a label map that does not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelMapError {
    /// 1-based line number.
    pub line: usize,
    /// Why.
    pub reason: &'static str,
}

impl fmt::Display for LabelMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for LabelMapError {}

/// Label names by bit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelMap {
    names: Vec<(u16, String)>,
}

impl LabelMap {
    /// Reads a map's text. For a bit named twice the first name wins, as
    /// in libnetfilter_conntrack.
    pub fn parse(text: &str) -> Result<LabelMap, LabelMapError> {
        let mut m = LabelMap::default();
        for (i, l) in text.lines().enumerate() {
            let l = l.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let err = |reason| LabelMapError {
                line: i + 1,
                reason,
            };
            let (bit, name) = l
                .split_once(char::is_whitespace)
                .ok_or_else(|| err("expected a bit number and a name"))?;
            let bit: u16 = bit.parse().map_err(|_| err("the bit is not a number"))?;
            if usize::from(bit) >= LABELS_LEN * 8 {
                return Err(err("the bit is past 127"));
            }
            let name = name.trim();
            if m.name(bit).is_none() {
                m.names.push((bit, name.to_string()));
            }
        }
        m.names.sort_by_key(|(b, _)| *b);
        Ok(m)
    }

    /// The name of `bit`, if it has one.
    pub fn name(&self, bit: u16) -> Option<&str> {
        self.names
            .iter()
            .find(|(b, _)| *b == bit)
            .map(|(_, n)| n.as_str())
    }

    /// The bit named `name`.
    pub fn bit(&self, name: &str) -> Option<u16> {
        self.names.iter().find(|(_, n)| n == name).map(|(b, _)| *b)
    }

    /// The names of the bits set in `labels` (a `CTA_LABELS` payload), in
    /// bit order; set bits without a name are left out (as conntrack
    /// prints them).
    pub fn names_of<'m>(&'m self, labels: &[u8]) -> Vec<&'m str> {
        self.names
            .iter()
            .filter(|(b, _)| has_bit(labels, *b))
            .map(|(_, n)| n.as_str())
            .collect()
    }
}

/// True if `bit` is set in the bit field `labels`.
pub fn has_bit(labels: &[u8], bit: u16) -> bool {
    let (word, shift) = (usize::from(bit) / 32, bit % 32);
    labels
        .get(word * 4..word * 4 + 4)
        .is_some_and(|w| u32::from_ne_bytes([w[0], w[1], w[2], w[3]]) & (1 << shift) != 0)
}

/// Sets `bit` in the bit field `labels` (grown to [`LABELS_LEN`] if shorter).
pub fn set_bit(labels: &mut Vec<u8>, bit: u16) {
    if labels.len() < LABELS_LEN {
        labels.resize(LABELS_LEN, 0);
    }
    let (word, shift) = (usize::from(bit) / 32, bit % 32);
    if let Some(w) = labels.get_mut(word * 4..word * 4 + 4) {
        let v = u32::from_ne_bytes([w[0], w[1], w[2], w[3]]) | (1 << shift);
        w.copy_from_slice(&v.to_ne_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_reads_and_names_bits() {
        let m = LabelMap::parse("# comment\n0 alpha\n1\tbeta\n\n5 gamma\n5 again\n").unwrap();
        assert_eq!(
            (m.bit("beta"), m.name(5), m.name(2)),
            (Some(1), Some("gamma"), None)
        );
        let mut l = Vec::new();
        for b in [0, 5, 7, 127] {
            set_bit(&mut l, b);
        }
        assert_eq!(l.len(), LABELS_LEN);
        assert_eq!(u32::from_ne_bytes([l[0], l[1], l[2], l[3]]), 0b1010_0001);
        assert!(has_bit(&l, 127) && !has_bit(&l, 126) && !has_bit(&[1], 0));
        assert_eq!(m.names_of(&l), vec!["alpha", "gamma"]);
    }

    #[test]
    fn bad_lines_are_errors_with_their_number() {
        let e = LabelMap::parse("0 a\nx b\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(
            LabelMap::parse("128 a").unwrap_err().reason,
            "the bit is past 127"
        );
        assert!(LabelMap::parse("3").is_err());
    }
}
