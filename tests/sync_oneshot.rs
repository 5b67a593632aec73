//! `zokio::sync::oneshot` through the public API.

#[macro_use]
mod common;

use zokio::sync::oneshot;

rt_test! {
    #[test]
    fn ping_pong() {
        let rt = rt();
        rt.block_on(async {
            for i in 0..1000u32 {
                let (tx, rx) = oneshot::channel();
                let (back_tx, back_rx) = oneshot::channel();
                zokio::spawn(async move {
                    let v = rx.await.unwrap();
                    back_tx.send(v + 1).unwrap();
                });
                tx.send(i).unwrap();
                assert_eq!(back_rx.await.unwrap(), i + 1);
            }
        });
    }

    #[test]
    fn sender_dropped_and_closed() {
        let rt = rt();
        rt.block_on(async {
            let (tx, rx) = oneshot::channel::<u8>();
            zokio::spawn(async move { drop(tx) });
            assert!(rx.await.is_err());

            let (mut tx, rx) = oneshot::channel::<u8>();
            zokio::spawn(async move { drop(rx) });
            tx.closed().await;
            assert_eq!(tx.send(1), Err(1));
        });
    }

    #[test]
    fn blocking_recv_in_runtime_panics() {
        let rt = rt();
        let (_tx, rx) = oneshot::channel::<u8>();
        let res = rt.block_on(async move {
            zokio::spawn(async move { rx.blocking_recv() }).await
        });
        assert!(res.unwrap_err().is_panic());
    }
}

#[test]
fn blocking_recv_from_plain_thread() {
    let rt = zokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (tx, rx) = oneshot::channel();
    let th = std::thread::spawn(move || rx.blocking_recv());
    rt.block_on(async move { tx.send(5).unwrap() });
    assert_eq!(th.join().unwrap(), Ok(5));
}
