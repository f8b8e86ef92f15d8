//! Client shim for hyper (h1spec client hyper): the two URLs given as the last two arguments,
//! in order, through one `hyper_util` legacy `Client` that keeps one idle connection per host,
//! as a hyper user (and reqwest) does; one JSON line per response (peers/clients/README.md).

use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::json;

/// Byte N as code point N, so that every byte survives JSON.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client: Client<HttpConnector, Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(1).build_http();
    let urls: Vec<String> = std::env::args().collect();
    for url in &urls[urls.len().saturating_sub(2)..] {
        let line = match tokio::time::timeout(Duration::from_secs(3), fetch(&client, url)).await {
            Ok(Ok((status, body))) => json!({"verdict": "accept", "status_code": status, "body": latin1(&body)}),
            Ok(Err(e)) => json!({"verdict": "reject", "error": e}),
            Err(_) => json!({"verdict": "reject", "error": "timed out"}),
        };
        println!("{line}");
    }
}

async fn fetch(client: &Client<HttpConnector, Empty<Bytes>>, url: &str) -> Result<(u16, Vec<u8>), String> {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("{e}"))?;
    let method = if uri.path().starts_with("/HEAD/") { hyper::Method::HEAD } else { hyper::Method::GET };
    let request = hyper::Request::builder().method(method).uri(uri).body(Empty::new()).map_err(|e| format!("{e}"))?;
    // `{:?}` keeps the cause hyper wraps (the parse error), which `Display` leaves out.
    let response = client.request(request).await.map_err(|e| format!("{e:?}"))?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.map_err(|e| format!("{e:?}"))?.to_bytes();
    Ok((status, body.to_vec()))
}
