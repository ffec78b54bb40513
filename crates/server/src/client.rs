//! Which address a request comes from, for the rate limits that count per client.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The client's address: the TCP peer, unless the peer is one of the `trusted` proxies. Then
/// it is the right-most address of `X-Forwarded-For` that is not a trusted proxy itself:
/// each proxy appends the address it saw, so entries left of that are whatever the client
/// chose to send. A trusted peer without a usable header stands for itself.
pub fn client_ip(peer: IpAddr, trusted: &[IpAddr], headers: &HeaderMap) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|entry| entry.trim().parse().ok())
        .collect();
    forwarded.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer)
}

/// `VITRINE_TRUSTED_PROXIES`: addresses separated by commas.
pub fn parse_trusted(list: &str) -> Result<Vec<IpAddr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| entry.parse().map_err(|_| format!("`{entry}` is not an IP address")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().expect("header"));
        headers
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let headers = forwarded("1.2.3.4");
        assert_eq!(client_ip(ip("9.9.9.9"), &[ip("10.0.0.1")], &headers), ip("9.9.9.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_last_untrusted_hop() {
        let proxies = [ip("10.0.0.1"), ip("10.0.0.2")];
        // The client claims 6.6.6.6; the outer proxy saw 5.5.5.5; the inner one saw the outer.
        let headers = forwarded("6.6.6.6, 5.5.5.5, 10.0.0.2");
        assert_eq!(client_ip(ip("10.0.0.1"), &proxies, &headers), ip("5.5.5.5"));
        assert_eq!(client_ip(ip("10.0.0.1"), &proxies, &HeaderMap::new()), ip("10.0.0.1"));
        assert_eq!(client_ip(ip("10.0.0.1"), &proxies, &forwarded("junk")), ip("10.0.0.1"));
    }

    #[test]
    fn the_trusted_list_is_addresses_separated_by_commas() {
        assert_eq!(parse_trusted(" 10.0.0.1, ::1 ,"), Ok(vec![ip("10.0.0.1"), ip("::1")]));
        assert!(parse_trusted("10.0.0.0/8").is_err());
        assert_eq!(parse_trusted(""), Ok(vec![]));
    }
}
