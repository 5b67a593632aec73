//! task_local! through the public API.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

zokio::task_local! {
    static NUMBER: u32;
    static NAME: String;
}

#[test]
fn scope_sets_value_across_awaits_and_threads() {
    let rt = zokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let handles: Vec<_> = (0..20u32)
            .map(|i| {
                zokio::spawn(NUMBER.scope(i, async move {
                    for _ in 0..10 {
                        zokio::task::yield_now().await;
                        assert_eq!(NUMBER.get(), i);
                    }
                    NUMBER.get()
                }))
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), i as u32);
        }
    });
}

#[test]
fn nested_scopes_restore_outer_value() {
    let v = NUMBER.sync_scope(1, || {
        let inner = NUMBER.sync_scope(2, || NUMBER.get());
        (inner, NUMBER.get())
    });
    assert_eq!(v, (2, 1));
    assert!(NUMBER.try_with(|_| ()).is_err());
}

#[test]
fn with_borrows_non_copy_values() {
    let len = NAME.sync_scope("zokio".to_string(), || NAME.with(|n| n.len()));
    assert_eq!(len, 5);
}

#[test]
#[should_panic(expected = "cannot access a task-local storage value without setting it first")]
fn with_outside_scope_panics() {
    NUMBER.with(|_| ());
}

#[test]
fn value_is_visible_while_the_future_is_dropped() {
    struct ReadOnDrop(Arc<AtomicUsize>);
    impl Drop for ReadOnDrop {
        fn drop(&mut self) {
            self.0.store(NUMBER.get() as usize, SeqCst);
        }
    }
    let seen = Arc::new(AtomicUsize::new(0));
    let guard = ReadOnDrop(seen.clone());
    let fut = NUMBER.scope(42, async move {
        let _g = guard;
        std::future::pending::<()>().await;
    });
    drop(fut);
    assert_eq!(seen.load(SeqCst), 42);
}
