//! Model of the idle protocol (scheduler/multi_thread/idle.rs): a worker
//! that finds nothing and parks races a producer that publishes a task and
//! looks for a sleeper to wake. Whatever the interleaving, the task is seen:
//! by the producer (which wakes the worker) or by the worker's last-searcher
//! re-check before it sleeps.

use crate::loom::model;
use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Mutex};
use crate::loom::thread;
use crate::scheduler::multi_thread::idle::Idle;

#[test]
fn loom_idle_no_lost_wakeup() {
    model(|| {
        let (idle, synced) = Idle::new(1);
        let idle = Arc::new(idle);
        let synced = Arc::new(Mutex::new(synced));
        let queued = Arc::new(AtomicUsize::new(0));
        let noticed = Arc::new(AtomicBool::new(false));

        let producer = {
            let (idle, synced, queued) = (idle.clone(), synced.clone(), queued.clone());
            thread::spawn(move || {
                queued.fetch_add(1, SeqCst);
                idle.worker_to_notify(&synced)
            })
        };

        // The worker: it starts searching, finds nothing, parks.
        assert!(idle.transition_worker_to_searching());
        let found_early = queued.load(SeqCst) > 0;
        if found_early {
            if idle.transition_worker_from_searching() {
                // Last searcher found work: it would wake another worker.
            }
            noticed.store(true, SeqCst);
        } else {
            let last = idle.transition_worker_to_parked(&synced, 0, true);
            assert!(last, "the only searcher is the last searcher");
            // Last-searcher re-check before sleeping.
            if queued.load(SeqCst) > 0 {
                noticed.store(true, SeqCst);
            }
        }

        let woken = producer.join().unwrap();
        if let Some(index) = woken {
            assert_eq!(index, 0);
            noticed.store(true, SeqCst);
        }
        assert!(
            noticed.load(SeqCst),
            "a task was published and nobody noticed it"
        );
    });
}
