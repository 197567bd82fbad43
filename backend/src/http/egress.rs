//! Outbound requests to URLs that users choose (today: document webhooks) must not reach the
//! platform's own network: loopback, private ranges, link-local (cloud metadata answers at
//! 169.254.169.254), carrier-grade NAT and the like. Checked twice: when a URL is set (literal
//! addresses and `localhost` names are refused at once), and at every connection, by a resolver
//! that drops non-public addresses, so a name that later resolves inward (DNS rebinding) is
//! refused as well.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is an address on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

/// The IPv4 address an IPv6 address stands for, where the IPv6 form only carries one: a
/// translator or tunnel on the path (NAT64, SIIT, 6to4) delivers the packet to that IPv4
/// address, so `64:ff9b::7f00:1` reaches 127.0.0.1 as surely as `::ffff:127.0.0.1` does.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |high: u16, low: u16| Ipv4Addr::from_bits(u32::from(high) << 16 | u32::from(low));
    let low = v4(s[6], s[7]);
    match s {
        // IPv4-mapped ::ffff:a.b.c.d and IPv4-translated (SIIT) ::ffff:0:a.b.c.d.
        [0, 0, 0, 0, 0, 0xffff, ..] | [0, 0, 0, 0, 0xffff, 0, ..] => Some(low),
        // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks); `::` and
        // `::1` are themselves.
        [0, 0, 0, 0, 0, 0, ..] if !ip.is_unspecified() && !ip.is_loopback() => Some(low),
        // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
        [0x64, 0xff9b, 0, 0, 0, 0, ..] => Some(low),
        // 6to4 2002:a.b.c.d::/48 (RFC 3056).
        [0x2002, high, low, ..] => Some(v4(high, low)),
        _ => None,
    }
}

/// IPv6 ranges that are not the public internet beyond the common ones the standard library
/// names: local-use NAT64 (64:ff9b:1::/48, RFC 8215, translates into the operator's own
/// IPv4 space), Teredo (2001::/32, tunnels to an IPv4 address it hides), the discard prefix
/// 100::/64, ORCHID (2001:10::/28, 2001:20::/28), and deprecated site-local fec0::/10.
fn is_special_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    (s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1)
        || (s[0] == 0x2001 && s[1] == 0)
        || (s[0] == 0x100 && s[1] == 0 && s[2] == 0 && s[3] == 0)
        || (s[0] == 0x2001 && (s[1] & 0xfff0 == 0x10 || s[1] & 0xfff0 == 0x20))
        || (s[0] & 0xffc0 == 0xfec0)
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Carrier-grade NAT (100.64.0.0/10), benchmarking (198.18.0.0/15), reserved (240/4).
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let documentation = ip.segments()[0] == 0x2001 && ip.segments()[1] == 0x0db8;
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        || documentation
        || is_special_v6(ip))
}

/// Why `url` may not be called from the platform, if it names a non-public host literally
/// (an IP address or a `localhost` name). Names are checked again when they are resolved.
pub fn literal_refusal(url: &str) -> Option<&'static str> {
    let url = reqwest::Url::parse(url).ok()?;
    let inward = match url.host()? {
        url::Host::Ipv4(ip) => !is_public(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => !is_public(IpAddr::V6(ip)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    inward.then_some("the host is not a public internet address")
}

/// A resolver that keeps only public addresses, and fails when none is left.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| is_public(addr.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public internet address").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// A client for user-chosen URLs: no redirects (a redirect could point inward), and, unless
/// `allow_private` (tests, closed networks), only public addresses.
pub fn client(allow_private: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    let builder = if allow_private {
        builder
    } else {
        builder.dns_resolver(PublicOnlyResolver)
    };
    builder.build().unwrap_or_default()
}

/// An error and its causes on one line: reqwest's own message alone does not say why a
/// connection failed (refused, timed out, no public address).
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(current) = cause {
        text.push_str(": ");
        text.push_str(&current.to_string());
        cause = current.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inward_addresses_are_not_public() {
        for inward in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            // IPv4 carried inside IPv6: NAT64, SIIT, IPv4-compatible, 6to4.
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a00:1",
            "64:ff9b:1:2:3::",
            "::ffff:0:127.0.0.1",
            "::ffff:0:a00:1",
            "::127.0.0.1",
            "::10.0.0.1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2002:c0a8:101::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "100::1",
            "fec0::1",
        ] {
            assert!(!is_public(inward.parse().unwrap()), "{inward}");
        }
        for public in [
            "8.8.8.8",
            "195.158.1.1",
            "2a00:1450:4001::1",
            "::ffff:8.8.8.8",
            "64:ff9b::8.8.8.8",
            "2002:808:808::1",
            "::ffff:0:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn literal_inward_hosts_are_refused_and_names_are_left_to_resolution() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost/hook",
            "https://api.LOCALHOST./hook",
            "https://[64:ff9b::7f00:1]/hook",
            "https://[::ffff:0:a9fe:a9fe]/latest/meta-data",
            "https://[2002:a00:1::]/hook",
        ] {
            assert!(literal_refusal(url).is_some(), "{url}");
        }
        for url in ["https://hooks.example.org/x", "https://8.8.8.8/x"] {
            assert_eq!(literal_refusal(url), None, "{url}");
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_inward_is_refused_when_connecting() {
        // `localhost` resolves through the hosts file: no network needed.
        let refused = PublicOnlyResolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost resolves only inward");
        assert!(refused.to_string().contains("no public"), "{refused}");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let error = client(false)
            .get(format!("http://localhost:{port}/"))
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .expect_err("the client does not connect inward");
        let described = with_causes(&error);
        assert!(
            described.contains("resolves to no public internet address"),
            "{described}"
        );
    }
}
