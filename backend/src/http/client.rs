//! The address a request comes from, for per-client limits (citizen IMEI checks). Behind a
//! load balancer the TCP peer is the balancer, so `X-Forwarded-For` is read — but only when
//! the peer is one of the configured `trusted_proxies`, and only as far back as the chain
//! stays within them: anyone can write the header, so an address is believed only when a
//! proxy of ours put it there.

use std::net::IpAddr;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

/// The networks whose `X-Forwarded-For` is believed (`trusted_proxies` in the configuration).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Parses addresses (`10.0.0.5`) and networks (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse(entries: &[String]) -> anyhow::Result<Self> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        anyhow::anyhow!("trusted_proxies: `{entry}` is not an address or network")
                    })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map(Self)
    }

    fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address: the TCP peer, or the nearest untrusted hop of `X-Forwarded-For`
/// when the peer is a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    pub fn of(req: &HttpRequest) -> Self {
        let peer = req.peer_addr().map(|a| a.ip().to_canonical());
        let trusted = req.app_data::<web::Data<TrustedProxies>>();
        let (Some(peer), Some(trusted)) = (peer, trusted) else {
            return Self(peer);
        };
        Self(Some(through_proxies(peer, trusted, req)))
    }

    /// The key a per-client limit counts under: an IPv4 address, or an IPv6 address's /64
    /// (one subscriber's network: a client rotating addresses inside it is still one client).
    pub fn limit_key(&self) -> IpAddr {
        match self.0 {
            None => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            Some(IpAddr::V4(v4)) => IpAddr::V4(v4),
            Some(IpAddr::V6(v6)) => {
                let bits = v6.to_bits() & !((1u128 << 64) - 1);
                IpAddr::V6(std::net::Ipv6Addr::from_bits(bits))
            }
        }
    }
}

/// Walks `X-Forwarded-For` from the nearest hop back while the hops are trusted proxies.
fn through_proxies(peer: IpAddr, trusted: &TrustedProxies, req: &HttpRequest) -> IpAddr {
    if !trusted.contains(peer) {
        return peer;
    }
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            // A hop we cannot read: the last one we could is as far as we can trust.
            return client;
        };
        client = ip;
        if !trusted.contains(ip) {
            return ip;
        }
    }
    client
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    hop.parse::<std::net::SocketAddr>()
        .ok()
        .map(|a| a.ip().to_canonical())
}

impl FromRequest for ClientAddress {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(Self::of(req)))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn client(peer: &str, forwarded: &[&str], trusted: &[&str]) -> IpAddr {
        let trusted =
            TrustedProxies::parse(&trusted.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        let mut request = TestRequest::default()
            .peer_addr(peer.parse().unwrap())
            .app_data(web::Data::new(trusted));
        for value in forwarded {
            request = request.append_header(("x-forwarded-for", *value));
        }
        ClientAddress::of(&request.to_http_request()).0.unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // No proxy configured: the header is anyone's to forge.
        assert_eq!(
            client("203.0.113.9:1", &["198.51.100.1"], &[]),
            ip("203.0.113.9")
        );
        // A trusted balancer: the hop before it is the client.
        assert_eq!(
            client("10.0.0.2:1", &["198.51.100.1"], &["10.0.0.0/8"]),
            ip("198.51.100.1")
        );
        // A forged hop the client wrote itself stays to the left of the real one.
        assert_eq!(
            client("10.0.0.2:1", &["1.1.1.1, 198.51.100.1"], &["10.0.0.0/8"]),
            ip("198.51.100.1")
        );
        // Two proxies of ours, header split over two lines, a port on one hop.
        assert_eq!(
            client(
                "10.0.0.2:1",
                &["198.51.100.7:4444", "10.0.0.3"],
                &["10.0.0.0/8"]
            ),
            ip("198.51.100.7")
        );
        // An unreadable hop stops the walk at the last trusted one.
        assert_eq!(
            client("10.0.0.2:1", &["garbage"], &["10.0.0.2"]),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let a = ClientAddress(Some("2001:db8:1:2::1".parse().unwrap()));
        let b = ClientAddress(Some("2001:db8:1:2:ffff:1:2:3".parse().unwrap()));
        let other = ClientAddress(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(a.limit_key(), b.limit_key());
        assert_ne!(a.limit_key(), other.limit_key());
        let v4 = ClientAddress(Some("192.0.2.1".parse().unwrap()));
        assert_eq!(v4.limit_key(), "192.0.2.1".parse::<IpAddr>().unwrap());
        assert!(TrustedProxies::parse(&["not-an-ip".to_owned()]).is_err());
    }
}
