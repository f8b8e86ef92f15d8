//! Proxies on the way back: nginx, HAProxy and Apache as reverse proxies in front of the
//! hostile origin, with h1wire's client reading what each forwards as a user agent reads it.
//! A proxy that reads an origin's response with another length than the RFC's forwards
//! another body, and, on the upstream connection it keeps and reuses, takes the start of the
//! next response for the end of this one or the end of this one for the next (response
//! splitting, response-queue poisoning). A proxy must also not pass on what the RFC tells it
//! to remove: obs-fold (RFC 9112 §5.2), Content-Length beside Transfer-Encoding (§6.3).
//!
//! The configs are in `peers/proxies/back/`: each keeps and reuses upstream connections, as a
//! production proxy does, which is where a misread response poisons the next.

use std::net::SocketAddr;

use super::origin::Origin;
use super::subject::fetch_with_h1wire;
use super::{canary_path, case_path, Observed};
use crate::corpus::Case;
use crate::diff::lifecycle::{Process, TempDir};
use crate::diff::peers::{Prepare, ProxySetup};
use crate::pipeline::Subject;

/// A proxy h1spec can put in front of the hostile origin.
#[derive(Clone, Copy, Debug)]
pub struct BackProxy {
    /// Its name (`h1spec client --proxy NAME`).
    pub name: &'static str,
    /// How it is started: its config in `peers/proxies/back/`.
    pub setup: ProxySetup,
    /// The Debian package it comes in.
    pub package: &'static str,
}

/// The proxies on the way back.
pub const PROXIES: &[BackProxy] = &[
    BackProxy {
        name: "nginx",
        setup: ProxySetup {
            template: "back/nginx.conf",
            config: "nginx.conf",
            program: "nginx",
            args: &["-p", "@DIR@", "-c", "@CONFIG@", "-g", "daemon off;"],
            prepare: Prepare::TmpDir,
        },
        package: "nginx",
    },
    BackProxy {
        name: "haproxy",
        setup: ProxySetup {
            template: "back/haproxy.cfg",
            config: "haproxy.cfg",
            program: "haproxy",
            args: &["-f", "@CONFIG@", "-db"],
            prepare: Prepare::Nothing,
        },
        package: "haproxy",
    },
    BackProxy {
        name: "apache2",
        setup: ProxySetup {
            template: "back/apache2.conf",
            config: "httpd.conf",
            program: "apache2",
            args: &["-f", "@CONFIG@", "-DFOREGROUND"],
            prepare: Prepare::WorldReadable,
        },
        package: "apache2",
    },
];

/// The proxy called `name`.
pub fn proxy(name: &str) -> Option<&'static BackProxy> {
    PROXIES.iter().find(|p| p.name == name)
}

/// Why the proxy called `name` cannot run here, or `None` when it can.
pub fn missing(name: &str) -> Option<String> {
    let p = proxy(name)?;
    let found = crate::diff::lifecycle::installed(p.setup.program);
    (!found).then(|| format!("{} is not installed (apt-get install {})", p.setup.program, p.package))
}

/// A proxy running in front of an origin, stopped when dropped.
pub struct Running {
    name: String,
    addr: SocketAddr,
    _process: Process,
    _tmp: TempDir,
}

impl Running {
    /// Starts `proxy` in a folder of its own, forwarding to `origin`.
    ///
    /// # Errors
    ///
    /// It could not start or did not listen in time.
    pub fn start(proxy: &BackProxy, origin: &Origin) -> Result<Running, String> {
        let peers = crate::diff::peers::peers_dir();
        let (addr, process, tmp) =
            crate::diff::peers::proxy::launch(proxy.name, &proxy.setup, &peers, origin.addr().port())?;
        Ok(Running { name: proxy.name.into(), addr, _process: process, _tmp: tmp })
    }
}

/// What came back through a proxy for a case: what h1wire's client made of the two responses,
/// and the head of the first as the proxy sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forwarded {
    /// The two responses, as a user agent reads them.
    pub observed: Observed,
    /// The head of the first response as the proxy sent it (empty when none came).
    pub head: Vec<u8>,
}

/// A proxy in front of the origin: the [`Subject`] the pipeline runs.
pub struct Through<'a> {
    /// The proxy.
    pub proxy: &'a Running,
    /// The origin behind it.
    pub origin: &'a Origin,
}

impl Subject for Through<'_> {
    type Observation = Forwarded;
    fn name(&self) -> String {
        format!("{} (proxy)", self.proxy.name)
    }
    fn observe(&self, case: &Case) -> Forwarded {
        let (first, second) = (self.origin.url(&case_path(case)), self.origin.url(&canary_path(case)));
        let (observed, raw) = fetch_with_h1wire(&first, &second, Some(self.proxy.addr));
        // The next case must not find this one's canary on an upstream connection the proxy
        // keeps: wait until any canary nobody asked for is sent and its connection closed.
        self.origin.settle(super::origin::HOLD * 3);
        let head = crate::head::head_end(&raw).map_or_else(Vec::new, |end| raw[..end].to_vec());
        Forwarded { observed, head }
    }
}
