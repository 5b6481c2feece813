//! One-line summaries of IP packets (queue and log payloads) for display:
//! `UDP 10.0.0.1:40000 > 10.0.0.2:5000 len 28`. Headers are read with
//! `etherparse` (lax: a payload cut by the copy range still gives its
//! headers); nothing here panics on odd bytes.

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use std::fmt;
use std::net::IpAddr;

/// What the headers of an IP packet say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Layer-4 protocol number.
    pub proto: u8,
    /// Source port (TCP, UDP).
    pub sport: Option<u16>,
    /// Destination port.
    pub dport: Option<u16>,
    /// ICMP/ICMPv6 type and code.
    pub icmp: Option<(u8, u8)>,
    /// The packet's length from its IP header (total length).
    pub len: usize,
}

impl Summary {
    /// Reads the IPv4/IPv6 and TCP/UDP/ICMP headers at the start of `pkt`
    /// (from the network header on); `None` if it is not IP.
    pub fn parse(pkt: &[u8]) -> Option<Summary> {
        let s = LaxSlicedPacket::from_ip(pkt).ok()?;
        let (src, dst, proto, len) = match &s.net {
            Some(LaxNetSlice::Ipv4(v4)) => {
                let h = v4.header();
                (
                    IpAddr::V4(h.source_addr()),
                    IpAddr::V4(h.destination_addr()),
                    v4.payload().ip_number.0,
                    usize::from(h.total_len()),
                )
            }
            Some(LaxNetSlice::Ipv6(v6)) => {
                let h = v6.header();
                (
                    IpAddr::V6(h.source_addr()),
                    IpAddr::V6(h.destination_addr()),
                    v6.payload().ip_number.0,
                    usize::from(h.payload_length()) + 40,
                )
            }
            _ => return None,
        };
        let mut out = Summary {
            src,
            dst,
            proto,
            sport: None,
            dport: None,
            icmp: None,
            len,
        };
        match &s.transport {
            Some(TransportSlice::Udp(u)) => {
                out.sport = Some(u.source_port());
                out.dport = Some(u.destination_port());
            }
            Some(TransportSlice::Tcp(t)) => {
                out.sport = Some(t.source_port());
                out.dport = Some(t.destination_port());
            }
            Some(TransportSlice::Icmpv4(i)) => out.icmp = Some((i.type_u8(), i.code_u8())),
            Some(TransportSlice::Icmpv6(i)) => out.icmp = Some((i.type_u8(), i.code_u8())),
            _ => {}
        }
        Some(out)
    }

    /// The protocol's name as the summary prints it (`UDP`, `TCP`, `ICMP`, `ICMPv6`, or its number).
    pub fn proto_name(&self) -> String {
        match self.proto {
            6 => "TCP".into(),
            17 => "UDP".into(),
            1 => "ICMP".into(),
            58 => "ICMPv6".into(),
            132 => "SCTP".into(),
            n => format!("proto-{n}"),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = |ip: &IpAddr, port: Option<u16>, f: &mut fmt::Formatter<'_>| match (ip, port) {
            (IpAddr::V6(a), Some(p)) => write!(f, "[{a}]:{p}"),
            (a, Some(p)) => write!(f, "{a}:{p}"),
            (a, None) => write!(f, "{a}"),
        };
        write!(f, "{} ", self.proto_name())?;
        host(&self.src, self.sport, f)?;
        f.write_str(" > ")?;
        host(&self.dst, self.dport, f)?;
        if let Some((t, c)) = self.icmp {
            write!(f, " type {t} code {c}")?;
        }
        write!(f, " len {}", self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_v4() {
        #[rustfmt::skip]
        let p = [
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, // IPv4, total length 28, UDP
            10, 0, 0, 1, 10, 0, 0, 2,                 // src, dst
            0x9c, 0x40, 0x13, 0x88, 0, 8, 0, 0,       // 40000 > 5000, length 8
        ];
        let s = Summary::parse(&p).unwrap();
        assert_eq!(s.to_string(), "UDP 10.0.0.1:40000 > 10.0.0.2:5000 len 28");
        // Cut by the copy range: the addresses are still there, no panic.
        for n in 0..p.len() {
            let _ = Summary::parse(&p[..n]);
        }
        assert_eq!(Summary::parse(&[0x60]), None);
    }
}
