//! Which addresses the prober refuses to contact: every range of the IANA IPv4 and IPv6
//! special-purpose registries that is not globally reachable — loopback, private,
//! link-local (which holds the cloud metadata service, 169.254.169.254), shared
//! carrier-grade NAT, unspecified, multicast, documentation (TEST-NET), benchmarking,
//! reserved, IPv6 site-local and unique-local — and IPv6 addresses that carry a refused
//! IPv4 address (mapped, compatible, NAT64, 6to4). Meta's fetcher cannot reach such an
//! address anyway, and a linter that fetches whatever a CSV says must not become a way to
//! reach a company's internal network. The machine's own addresses are refused too (a
//! public address of the host walint runs on reaches that host's own services). Also the
//! DNS resolver the HTTP client uses, which drops such addresses (so the address checked
//! is the address connected to).

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::OnceLock;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is not public, or `None` when it is. The ranges are the IANA IPv4 and
/// IPv6 Special-Purpose Address Registries' entries that are not globally reachable (RFC
/// 6890 and its updates), plus the deprecated IPv6 site-local block, following OWASP's
/// SSRF prevention guidance: an IPv6 address that embeds an IPv4 one (IPv4-mapped
/// `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`,
/// 6to4 `2002::/16`) is judged by the IPv4 address it carries, and refused when that is.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => non_public_v4(v4).or_else(|| non_public_v6(v6)),
            None => non_public_v6(v6),
        },
    }
}

/// Why the prober refuses to connect to `ip`: [`non_public`], or an address of one of this
/// machine's own interfaces; `None` when it may.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    refusal_among(ip, own_addresses())
}

/// [`refusal`], with `own` as this machine's addresses.
fn refusal_among(ip: IpAddr, own: &[IpAddr]) -> Option<&'static str> {
    non_public(ip).or_else(|| {
        let own = |a: IpAddr| own.contains(&a);
        let carried = match ip {
            IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        (own(ip) || carried.is_some_and(own)).then_some("an address of this machine")
    })
}

/// The addresses of this machine's network interfaces, read once (none when they cannot
/// be listed: the special-purpose ranges still hold loopback and private ones).
pub fn own_addresses() -> &'static [IpAddr] {
    static OWN: OnceLock<Vec<IpAddr>> = OnceLock::new();
    OWN.get_or_init(|| {
        if_addrs::get_if_addrs()
            .map(|interfaces| interfaces.iter().map(if_addrs::Interface::ip).collect())
            .unwrap_or_default()
    })
}

/// The IPv4 address an IPv6 address carries: IPv4-mapped (`::ffff:0:0/96`), IPv4-compatible
/// (`::/96`, deprecated, but still routed to the IPv4 address by some stacks), NAT64
/// (`64:ff9b::/96`, RFC 6052, and the local-use `64:ff9b:1::/48`, RFC 8215) or 6to4
/// (`2002::/16`, RFC 3056: the IPv4 address in bits 16–47).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0; 6] && !ip.is_loopback() && !ip.is_unspecified() {
        return Some(tail); // IPv4-compatible
    }
    if s[0] == 0x64 && s[1] == 0xff9b && (s[2..6] == [0; 4] || s[2] == 1) {
        return Some(tail); // NAT64
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip == Ipv4Addr::new(169, 254, 169, 254) {
        Some("the cloud metadata address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if ip.is_private() {
        Some("a private address")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a carrier-grade NAT address")
    } else if ip.is_unspecified() || a == 0 {
        Some("an unspecified address")
    } else if ip.is_broadcast() || ip.is_multicast() || a >= 240 {
        Some("a broadcast, multicast or reserved address")
    } else if a == 192 && b == 0 && c == 0 {
        Some("an IETF protocol assignment address")
    } else if (a, b, c) == (192, 0, 2) || (a, b, c) == (198, 51, 100) || (a, b, c) == (203, 0, 113)
    {
        Some("a documentation (TEST-NET) address")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("a benchmarking address")
    } else if (a, b, c) == (192, 88, 99) {
        Some("a deprecated 6to4 relay address")
    } else {
        None
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let first = s[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private (unique local) address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if first & 0xffc0 == 0xfec0 {
        Some("a site-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
    } else if s[0] == 0x2001 && s[1] == 0x0db8 || s[0] == 0x3fff && s[1] < 0x1000 {
        Some("a documentation address")
    } else if s[0] == 0x0100 && s[1..4] == [0; 3] {
        Some("a discard-only address")
    } else if s[0] == 0x2001 && s[1] < 0x0200 {
        Some("an IETF protocol assignment address (Teredo, benchmarking, ORCHID…)")
    } else if s[0] == 0x5f00 {
        Some("a segment-routing address")
    } else {
        None
    }
}

/// The error a refused host resolves to: every address it has is non-public.
#[derive(Debug, Clone)]
pub struct Refused {
    /// The host name.
    pub host: String,
    /// The first address found, and why it is refused.
    pub address: IpAddr,
    /// Why.
    pub why: &'static str,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} resolves to {} ({})",
            self.host, self.address, self.why
        )
    }
}

impl StdError for Refused {}

/// A DNS lookup that failed (no such host, no answer).
#[derive(Debug)]
pub struct LookupFailed(pub String);

impl fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StdError for LookupFailed {}

/// The system resolver, keeping public addresses only unless private hosts are allowed.
#[derive(Debug, Clone, Copy)]
pub struct PublicOnly {
    /// `--allow-private-hosts`: keep every address.
    pub allow_private: bool,
    /// How long a lookup may take (the request timeout).
    pub timeout: std::time::Duration,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let (allow_private, timeout) = (self.allow_private, self.timeout);
        let host = name.as_str().to_string();
        Box::pin(async move {
            let lookup = tokio::net::lookup_host((host.as_str(), 0));
            let found: Vec<SocketAddr> = tokio::time::timeout(timeout, lookup)
                .await
                .map_err(|_| LookupFailed(format!("DNS lookup of {host} gave no answer in time")))?
                .map_err(|e| LookupFailed(format!("DNS lookup of {host} failed: {e}")))?
                .collect();
            if found.is_empty() {
                return Err(LookupFailed(format!("{host} has no address")).into());
            }
            if allow_private {
                return Ok(Box::new(found.into_iter()) as Addrs);
            }
            let public: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| refusal(a.ip()).is_none())
                .collect();
            if public.is_empty() {
                let address = found[0].ip();
                return Err(Refused {
                    host,
                    address,
                    why: refusal(address).unwrap_or("not public"),
                }
                .into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(non_public(ip.parse().unwrap()).is_some(), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "100.128.0.1"] {
            assert!(non_public(ip.parse().unwrap()).is_none(), "{ip}");
        }
    }

    /// One address in and one just outside each range of the IANA special-purpose
    /// registries (and the IPv6 forms that carry an IPv4 address).
    #[test]
    fn special_purpose_ranges_table() {
        let refused = [
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.255",
            "198.18.0.1",
            "198.19.255.255",
            "192.88.99.1",
            "240.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a00:1",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "fec0::1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "2001::1",
            "2001:10::1",
            "5f00::1",
            "ff02::1",
        ];
        for ip in refused {
            assert!(
                non_public(ip.parse().unwrap()).is_some(),
                "{ip} must be refused"
            );
        }
        let public = [
            "192.0.1.1",
            "192.0.3.1",
            "198.17.255.255",
            "198.20.0.1",
            "203.0.114.1",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:200::1",
            "2001:db9::1",
            "2a03:2880:f12f:83:face:b00c::25de",
        ];
        for ip in public {
            assert_eq!(non_public(ip.parse().unwrap()), None, "{ip} is public");
        }
        assert_eq!(
            non_public("169.254.169.254".parse().unwrap()),
            Some("the cloud metadata address")
        );
    }

    /// Every address of this machine's interfaces is refused, also carried in an IPv6
    /// address (IPv4-mapped); an address of none of them is judged by the ranges alone.
    #[test]
    fn the_machines_own_addresses_are_refused() {
        let own = own_addresses();
        assert!(!own.is_empty(), "no interface listed (loopback at least)");
        for &ip in own {
            assert!(refusal(ip).is_some(), "{ip}");
            if let IpAddr::V4(v4) = ip {
                assert!(
                    refusal(IpAddr::V6(v4.to_ipv6_mapped())).is_some(),
                    "{ip} mapped"
                );
            }
        }
        let public: IpAddr = "8.8.8.8".parse().unwrap();
        if !own.contains(&public) {
            assert_eq!(refusal(public), None);
        }
        // A machine with a public address (a cloud VM's): that address is refused, as
        // IPv4, IPv4-mapped and NAT64; another public address is not.
        let host: IpAddr = "198.51.99.7".parse().unwrap();
        let own = [host, "2a00:1450::7".parse().unwrap()];
        assert_eq!(
            refusal_among(host, &own),
            Some("an address of this machine")
        );
        for carried in ["::ffff:198.51.99.7", "64:ff9b::c633:6307", "2a00:1450::7"] {
            let ip: IpAddr = carried.parse().unwrap();
            assert!(refusal_among(ip, &own).is_some(), "{carried}");
        }
        assert_eq!(refusal_among("198.51.99.8".parse().unwrap(), &own), None);
    }

    /// `localhost` resolves from the hosts file, so this needs no network: a host name that
    /// resolves only to loopback is refused before any connection, and kept when allowed.
    #[test]
    fn the_resolver_refuses_names_that_resolve_privately() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let timeout = std::time::Duration::from_secs(5);
        let resolve = |allow_private| {
            let name: Name = "localhost".parse().unwrap();
            runtime.block_on(
                PublicOnly {
                    allow_private,
                    timeout,
                }
                .resolve(name),
            )
        };
        let err = resolve(false).err().expect("localhost is refused");
        let refused = err.downcast_ref::<Refused>().expect("a Refused error");
        assert_eq!(refused.why, "a loopback address");
        let addrs: Vec<_> = match resolve(true) {
            Ok(addrs) => addrs.collect(),
            Err(e) => panic!("localhost is allowed: {e}"),
        };
        assert!(addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
