//! Misuse gets a clear panic message or error, never a hang.

use zokio::runtime::{Builder, Handle, Runtime};

#[test]
#[should_panic(expected = "must be called from the context of a Zokio 1.x runtime")]
fn spawn_outside_runtime_panics() {
    drop(zokio::spawn(async {}));
}

#[test]
#[should_panic(expected = "must be called from the context of a Zokio 1.x runtime")]
fn spawn_blocking_outside_runtime_panics() {
    drop(zokio::task::spawn_blocking(|| {}));
}

#[test]
#[should_panic(expected = "must be called from the context of a Zokio 1.x runtime")]
fn handle_current_outside_runtime_panics() {
    let _ = Handle::current();
}

#[test]
fn try_current_outside_runtime_is_error() {
    let err = Handle::try_current().unwrap_err();
    assert!(err.is_missing_context());
    assert!(!err.is_thread_local_destroyed());
    assert!(err.to_string().contains("no reactor running"));
}

#[test]
#[should_panic(expected = "Cannot start a runtime from within a runtime")]
fn block_on_inside_runtime_panics() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let inner = Builder::new_current_thread().build().unwrap();
        inner.block_on(async {});
    });
}

#[test]
#[should_panic(expected = "Cannot start a runtime from within a runtime")]
fn handle_block_on_inside_runtime_panics() {
    let rt = Builder::new_current_thread().build().unwrap();
    let handle = rt.handle().clone();
    rt.block_on(async move {
        handle.block_on(async {});
    });
}

#[test]
fn block_on_inside_spawned_task_is_a_join_error() {
    // Inside a task the panic is caught and reported, and the runtime lives on.
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let err = zokio::spawn(async {
            let inner = Builder::new_current_thread().build().unwrap();
            inner.block_on(async {});
        })
        .await
        .unwrap_err();
        assert!(err.is_panic());
        assert_eq!(zokio::spawn(async { 1 }).await.unwrap(), 1);
    });
}

#[test]
#[should_panic(expected = "can call blocking only when running on the multi-threaded runtime")]
fn block_in_place_on_current_thread_panics() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        zokio::task::block_in_place(|| {});
    });
}

#[test]
#[should_panic(expected = "Worker threads cannot be set to 0")]
fn zero_worker_threads_panics() {
    Builder::new_multi_thread().worker_threads(0);
}

#[test]
#[should_panic(expected = "Max blocking threads cannot be set to 0")]
fn zero_blocking_threads_panics() {
    Builder::new_multi_thread().max_blocking_threads(0);
}

#[test]
#[should_panic(expected = "only supported by the current-thread runtime")]
fn start_paused_on_multi_thread_panics() {
    let _ = Builder::new_multi_thread().start_paused(true).build();
}

#[test]
#[should_panic(expected = "`JoinHandle` polled after it returned `Ready`")]
fn join_handle_polled_after_ready_panics() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let mut handle = zokio::spawn(async {});
        (&mut handle).await.unwrap();
        let _ = (&mut handle).await;
    });
}

#[test]
#[should_panic(expected = "reason is not a panic")]
fn into_panic_of_cancelled_panics() {
    let rt = Builder::new_current_thread().build().unwrap();
    let err = rt.block_on(async {
        let h = zokio::spawn(std::future::pending::<()>());
        h.abort();
        h.await.unwrap_err()
    });
    let _ = err.into_panic();
}

#[test]
fn join_error_debug_and_try_into_panic() {
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let h = zokio::spawn(std::future::pending::<()>());
        h.abort();
        let err = h.await.unwrap_err();
        assert!(format!("{err:?}").starts_with("JoinError::Cancelled"));
        let err = err.try_into_panic().unwrap_err();
        assert!(err.is_cancelled());
        let err = zokio::spawn(async { panic!("oops") }).await.unwrap_err();
        assert!(format!("{err:?}").contains("\"oops\""));
        assert!(err.try_into_panic().is_ok());
    });
}

#[test]
#[should_panic(expected = "max_io_events_per_tick must be greater than 0")]
fn zero_io_events_per_tick_panics() {
    Builder::new_multi_thread().max_io_events_per_tick(0);
}
