//! Which addresses the prober refuses to contact: loopback, private, link-local (which
//! holds the cloud metadata service, 169.254.169.254), shared carrier-grade NAT,
//! unspecified, multicast and the IPv6 equivalents. Meta's fetcher cannot reach such an
//! address anyway, and a linter that fetches whatever a CSV says must not become a way to
//! reach a company's internal network. Also the DNS resolver the HTTP client uses, which
//! drops such addresses (so the address checked is the address connected to).

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address is not public, or `None` when it is.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => non_public_v4(v4),
            None => non_public_v6(v6),
        },
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
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
    } else {
        None
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() {
        Some("an unspecified address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private (unique local) address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if ip.is_multicast() {
        Some("a multicast address")
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
                .filter(|a| non_public(a.ip()).is_none())
                .collect();
            if public.is_empty() {
                let address = found[0].ip();
                return Err(Refused {
                    host,
                    address,
                    why: non_public(address).unwrap_or("not public"),
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
        assert_eq!(
            non_public("169.254.169.254".parse().unwrap()),
            Some("the cloud metadata address")
        );
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
