//! [`ToSocketAddrs`] and [`lookup_host`]: addresses given as values resolve
//! at once; host names resolve on the blocking pool.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::pin::Pin;
use std::task::{Context, Poll};
use zokio_runtime::task::JoinHandle;

/// Types that resolve to one or more socket addresses: `SocketAddr`,
/// `(IpAddr, u16)`, `"host:port"`, `("host", port)`, `&[SocketAddr]`...
///
/// Host names are resolved with the system resolver on the blocking pool,
/// so resolution never blocks a worker. The trait is sealed.
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

/// Resolves `host` to its socket addresses.
///
/// # Errors
///
/// The resolver's error (e.g. an unknown host).
///
/// # Examples
///
/// ```
/// # zokio::runtime::Runtime::new().unwrap().block_on(async {
/// let addrs: Vec<_> = zokio::net::lookup_host("127.0.0.1:80").await.unwrap().collect();
/// assert_eq!(addrs, ["127.0.0.1:80".parse().unwrap()]);
/// # });
/// ```
pub async fn lookup_host<T: ToSocketAddrs>(
    host: T,
) -> io::Result<impl Iterator<Item = SocketAddr>> {
    let addrs = host.to_socket_addrs(sealed::Internal).await?;
    Ok(addrs.into_iter())
}

pub(crate) async fn resolve<T: ToSocketAddrs>(addr: T) -> io::Result<Vec<SocketAddr>> {
    addr.to_socket_addrs(sealed::Internal).await
}

/// Runs `f` on each address until one succeeds; otherwise returns the last
/// error (or `InvalidInput` if there were none).
pub(crate) async fn try_each<T, F, Fut>(addrs: Vec<SocketAddr>, mut f: F) -> io::Result<T>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_err = None;
    for addr in addrs {
        match f(addr).await {
            Ok(v) => return Ok(v),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}

pub(crate) mod sealed {
    use super::*;

    /// A token that keeps `to_socket_addrs` uncallable from outside.
    #[derive(Debug, Clone, Copy)]
    pub struct Internal;

    /// The hidden half of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait ToSocketAddrsPriv {
        /// Resolves the addresses.
        fn to_socket_addrs(&self, _: Internal) -> MaybeReady;
    }

    /// Resolved addresses, now or from the blocking pool.
    #[derive(Debug)]
    pub enum MaybeReady {
        /// Known without a lookup.
        Ready(Option<io::Result<Vec<SocketAddr>>>),
        /// A lookup running on the blocking pool.
        Blocking(JoinHandle<io::Result<Vec<SocketAddr>>>),
    }

    impl Future for MaybeReady {
        type Output = io::Result<Vec<SocketAddr>>;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            match self.get_mut() {
                MaybeReady::Ready(v) => {
                    Poll::Ready(v.take().expect("MaybeReady polled after completion"))
                }
                MaybeReady::Blocking(join) => Pin::new(join).poll(cx).map(|res| match res {
                    Ok(res) => res,
                    Err(e) => Err(io::Error::other(e)),
                }),
            }
        }
    }
}

use sealed::{Internal, MaybeReady, ToSocketAddrsPriv};

fn ready(addrs: Vec<SocketAddr>) -> MaybeReady {
    MaybeReady::Ready(Some(Ok(addrs)))
}

fn blocking(host: String) -> MaybeReady {
    MaybeReady::Blocking(zokio_runtime::task::spawn_blocking(move || {
        std::net::ToSocketAddrs::to_socket_addrs(&host).map(Iterator::collect)
    }))
}

macro_rules! direct {
    ($($ty:ty),*) => {$(
        impl ToSocketAddrs for $ty {}
        impl ToSocketAddrsPriv for $ty {
            fn to_socket_addrs(&self, _: Internal) -> MaybeReady {
                ready(vec![SocketAddr::from(*self)])
            }
        }
    )*};
}

direct!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16)
);

impl ToSocketAddrs for &[SocketAddr] {}
impl ToSocketAddrsPriv for &[SocketAddr] {
    fn to_socket_addrs(&self, _: Internal) -> MaybeReady {
        ready(self.to_vec())
    }
}

impl ToSocketAddrs for str {}
impl ToSocketAddrsPriv for str {
    fn to_socket_addrs(&self, _: Internal) -> MaybeReady {
        match self.parse::<SocketAddr>() {
            Ok(addr) => ready(vec![addr]),
            Err(_) => blocking(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl ToSocketAddrsPriv for String {
    fn to_socket_addrs(&self, i: Internal) -> MaybeReady {
        self.as_str().to_socket_addrs(i)
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl ToSocketAddrsPriv for (&str, u16) {
    fn to_socket_addrs(&self, _: Internal) -> MaybeReady {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => ready(vec![SocketAddr::new(ip, port)]),
            Err(_) => blocking(format!("{host}:{port}")),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl ToSocketAddrsPriv for (String, u16) {
    fn to_socket_addrs(&self, i: Internal) -> MaybeReady {
        (self.0.as_str(), self.1).to_socket_addrs(i)
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrsPriv + ?Sized> ToSocketAddrsPriv for &T {
    fn to_socket_addrs(&self, i: Internal) -> MaybeReady {
        (**self).to_socket_addrs(i)
    }
}
